import Kafka
import Logging
import Postgres
import ServiceLifecycle
import Store
import Synchronization

/// Consumes a service's topics in batches and applies each batch exactly once:
/// the handler's effects, the inbox rows and the emitted events commit in one
/// Postgres transaction, and the offsets are committed to Kafka only after it.
///
/// On graceful shutdown it finishes the batch in hand, commits it and leaves
/// the group. A transient fault pauses the partitions and retries the batch
/// with backoff, polling meanwhile so the member stays in its group.
public struct ConsumerWorker<Handler: WorkerHandler>: Service {
    private let handler: Handler
    let configuration: WorkerConfiguration
    private let pool: PostgresPool
    private let consumer: KafkaConsumer
    private let assignment: Assignment
    private let metrics: RuntimeMetrics
    private let logger: Logger

    /// - Throws: ``KafkaError`` when the consumer cannot be created.
    public init(
        handler: Handler, configuration: WorkerConfiguration, pool: PostgresPool, kafka: KafkaConfiguration, logger: Logger
    ) throws {
        let assignment = Assignment()
        self.handler = handler
        self.configuration = configuration
        self.pool = pool
        self.assignment = assignment
        self.metrics = RuntimeMetrics(service: configuration.serviceName)
        self.logger = logger
        self.consumer = try KafkaConsumer(
            configuration: kafka, groupID: configuration.serviceName, logger: logger,
            onRebalance: { assignment.apply($0) })
    }

    /// Whether the consumer has joined its group (it may hold no partition
    /// when replicas outnumber them): part of readiness.
    public var hasJoinedGroup: Bool { assignment.hasJoined }

    public func run() async throws {
        try await consumer.subscribe(to: configuration.topics)
        logger.info("worker consuming", metadata: ["topics": "\(configuration.topics)"])
        var pending: [KafkaMessage] = []
        do {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                var batch = pending
                pending = []
                let capacity = configuration.batchSize * configuration.lanes
                if batch.count < capacity {
                    do {
                        batch += try await consumer.poll(maxMessages: capacity - batch.count, timeout: configuration.batchMaxWait)
                    } catch where Fault.isTransient(error) {
                        logger.info("poll failed with a transient fault; polling again", metadata: ["error": "\(error)"])
                        try await Task.sleep(for: configuration.retryInitialDelay)
                    }
                }
                batch = batch.filter { assignment.holds($0.topicPartition) }
                guard !batch.isEmpty else { continue }
                pending = try await applyRetrying(batch)
                try await commitOffsets(of: batch)
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        logger.info("worker left its group")
    }

    /// Commits the offsets of the partitions still held. A failed commit
    /// loses nothing: the messages come again and the inbox skips them.
    private func commitOffsets(of batch: [KafkaMessage]) async throws {
        let held = batch.filter { assignment.holds($0.topicPartition) }
        do {
            try await consumer.commit(held)
        } catch let error as KafkaError where error.code == .commitFailed {
            logger.info("offset commit failed; the inbox will skip the redelivery", metadata: ["error": "\(error)"])
        }
        recordLag(after: held)
    }

    private func recordLag(after batch: [KafkaMessage]) {
        var next: [KafkaTopicPartition: Int64] = [:]
        for message in batch { next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1) }
        for (partition, offset) in next {
            if let end = consumer.cachedLogEndOffset(of: partition) { metrics.lag(end - offset, of: partition) }
        }
    }

    /// Applies a batch, retrying transient faults until it commits.
    /// - Returns: messages fetched while waiting to retry, for the next batch.
    private func applyRetrying(_ batch: [KafkaMessage]) async throws -> [KafkaMessage] {
        let backoff = Backoff(initial: configuration.retryInitialDelay, maximum: configuration.retryMaxDelay)
        var fetchedMeanwhile: [KafkaMessage] = []
        var paused: [KafkaTopicPartition] = []
        var attempt = 0
        while true {
            do {
                try await applyInLanes(batch.filter { assignment.holds($0.topicPartition) })
                if !paused.isEmpty { try await consumer.resume(paused) }
                return fetchedMeanwhile
            } catch where Fault.isTransient(error) {
                attempt += 1
                metrics.retried()
                logger.info(
                    "batch failed with a transient fault; retrying",
                    metadata: ["attempt": "\(attempt)", "error": "\(error)", "batch": "\(batch.count)"])
                if paused.isEmpty {
                    paused = assignment.partitions
                    try await consumer.pause(paused)
                }
                let resumeAt = ContinuousClock.now + backoff.delay(attempt: attempt)
                while ContinuousClock.now < resumeAt {
                    if Task.isCancelled { throw CancellationError() }
                    fetchedMeanwhile += try await consumer.poll(
                        maxMessages: configuration.batchSize * configuration.lanes,
                        timeout: min(.milliseconds(200), resumeAt - .now))
                }
            }
        }
    }

    /// Applies a poll's messages in lanes side by side, each lane its own
    /// transaction over whole partitions: a family's events stay in one
    /// partition, so lanes never touch the same rows and each family's
    /// events keep their order. A lane that fails makes the whole poll
    /// retry; lanes that had committed are then skipped by the inbox.
    private func applyInLanes(_ batch: [KafkaMessage]) async throws {
        var lanes = [[KafkaMessage]](repeating: [], count: configuration.lanes)
        var laneOfPartition: [KafkaTopicPartition: Int] = [:]
        for message in batch {
            let lane = laneOfPartition[message.topicPartition] ?? {
                // The least-filled lane takes a partition it has not seen.
                let chosen = lanes.indices.min { lanes[$0].count < lanes[$1].count }!
                laneOfPartition[message.topicPartition] = chosen
                return chosen
            }()
            lanes[lane].append(message)
        }
        let batchSize = configuration.batchSize
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in lanes where !lane.isEmpty {
                group.addTask {
                    // In order within the lane, at most a batch a transaction.
                    for start in stride(from: 0, to: lane.count, by: batchSize) {
                        try await apply(Array(lane[start..<min(start + batchSize, lane.count)]))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private func apply(_ batch: [KafkaMessage]) async throws {
        let started = ContinuousClock.now
        let handler = handler
        let service = configuration.serviceName
        // Read once: each message's id and what the handler makes of it.
        let incoming = batch.map { message in
            Incoming(
                message: message, eventID: message.eventID,
                event: Result { () throws(Rejection) -> Handler.Event in try handler.decode(message) })
        }
        // The whole batch in one statement set; if an event spoils it, the
        // transaction rolls back and the batch is applied again one event at
        // a time, so only the failing events are set aside.
        func attempt(oneByOne: Bool) async throws -> BatchOutcome {
            try await pool.withTransaction { connection in
                let fresh = try InboxTable.recordNew(
                    incoming.map {
                        InboxTable.Entry(
                            eventID: $0.eventID, topic: $0.message.topic, partition: $0.message.partition,
                            offset: $0.message.offset)
                    },
                    consumer: service, on: connection)
                // A message redelivered within this same batch is in `fresh` once: its first copy counts.
                var unclaimed = fresh
                var outcome = BatchOutcome()
                var toApply: [(message: KafkaMessage, event: Handler.Event)] = []
                for item in incoming {
                    guard unclaimed.remove(item.eventID) != nil else {
                        outcome.duplicates.append(item.message)
                        continue
                    }
                    switch item.event {
                    case .success(let event): toApply.append((item.message, event))
                    case .failure(let rejection): outcome.deadLetters.append((item.message, rejection.reason))
                    }
                }
                var emitted: [OutboxEvent] = []
                if oneByOne {
                    for item in toApply {
                        try connection.execute("SAVEPOINT event")
                        do {
                            var handlerBatch = HandlerBatch(connection: connection)
                            try handler.apply([item.event], in: &handlerBatch)
                            emitted += handlerBatch.emitted
                            try connection.execute("RELEASE SAVEPOINT event")
                            outcome.applied.append(item.message)
                        } catch where !Fault.isTransient(error) {
                            try connection.execute("ROLLBACK TO SAVEPOINT event")
                            outcome.deadLetters.append((item.message, Fault.reason(error)))
                        }
                    }
                } else {
                    var handlerBatch = HandlerBatch(connection: connection)
                    do {
                        try handler.apply(toApply.map(\.event), in: &handlerBatch)
                    } catch where !Fault.isTransient(error) {
                        throw BatchSpoiled()
                    }
                    emitted = handlerBatch.emitted
                    outcome.applied = toApply.map(\.message)
                }
                try OutboxTable.append(
                    emitted + outcome.deadLetters.map { DeadLetter.event(for: $0.message, reason: $0.reason, service: service) },
                    on: connection)
                return outcome
            }
        }
        let outcome: BatchOutcome
        do {
            outcome = try await attempt(oneByOne: false)
        } catch is BatchSpoiled {
            outcome = try await attempt(oneByOne: true)
        }
        record(outcome, batchSize: batch.count, duration: .now - started)
    }

    private func record(_ outcome: BatchOutcome, batchSize: Int, duration: Duration) {
        for (topic, messages) in Dictionary(grouping: outcome.applied, by: \.topic) {
            metrics.processed(messages.count, topic: topic)
        }
        for (topic, messages) in Dictionary(grouping: outcome.duplicates, by: \.topic) {
            metrics.duplicates(messages.count, topic: topic)
        }
        for letter in outcome.deadLetters {
            metrics.deadLettered(topic: letter.message.topic)
            logger.info(
                "message dead-lettered",
                metadata: [
                    "topic": "\(letter.message.topic)", "partition": "\(letter.message.partition)",
                    "offset": "\(letter.message.offset)", "reason": "\(letter.reason)",
                ])
        }
        metrics.batch(size: batchSize, duration: duration)
        logger.debug(
            "batch applied", metadata: ["messages": "\(batchSize)", "duplicates": "\(outcome.duplicates.count)"])
    }
}

/// A message as a batch reads it: its inbox id and the handler's reading.
private struct Incoming<Event: Sendable>: Sendable {
    let message: KafkaMessage
    let eventID: String
    let event: Result<Event, Rejection>
}

/// What became of each message of a batch.
private struct BatchOutcome: Sendable {
    var applied: [KafkaMessage] = []
    var duplicates: [KafkaMessage] = []
    var deadLetters: [(message: KafkaMessage, reason: String)] = []
}

/// A batch in which some event cannot be applied.
private struct BatchSpoiled: Error {}

/// The partitions the consumer holds, as rebalances report them.
final class Assignment: Sendable {
    private struct State {
        var held: Set<KafkaTopicPartition> = []
        var hasJoined = false
    }

    private let state = Mutex(State())

    func apply(_ rebalance: KafkaRebalance) {
        state.withLock { state in
            state.hasJoined = true
            switch rebalance {
            case .assigned(let partitions): state.held.formUnion(partitions)
            case .revoked(let partitions): state.held.subtract(partitions)
            }
        }
    }

    func holds(_ partition: KafkaTopicPartition) -> Bool {
        state.withLock { $0.held.contains(partition) }
    }

    var partitions: [KafkaTopicPartition] { state.withLock { $0.held.sorted() } }
    var hasJoined: Bool { state.withLock { $0.hasJoined } }
}
