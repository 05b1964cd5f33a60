import Kafka
import Logging
import Postgres
import Prometheus
import ServiceLifecycle
import Synchronization

/// Consumes a service's topics and applies their messages exactly once: each
/// batch's effects, inbox rows and emitted events commit in one Postgres
/// transaction, and its offsets are committed to Kafka only after it.
///
/// A poll loop feeds lanes; each lane applies batches one after another,
/// each its own transaction, and a partition always goes to the same lane,
/// so a family's events keep their order while other lanes apply other
/// partitions side by side and the next poll overlaps the transactions. The
/// loop reads ahead up to ``WorkerConfiguration/readAhead`` messages; a lane
/// that takes nothing for a while (retrying while the database is down, say)
/// has its partitions paused, and polling goes on, so the member stays in
/// its group and the other lanes keep working.
///
/// When partitions are revoked, their waiting messages are dropped and the
/// offsets applied so far are committed; a batch already in its transaction
/// may still commit, and the next owner's inbox then skips those events.
/// On graceful shutdown it stops polling, finishes the batches in hand,
/// commits their offsets and leaves the group.
public struct ConsumerWorker<Handler: WorkerHandler>: Service {
    let configuration: WorkerConfiguration
    let handler: Handler
    private let applier: BatchApplier<Handler>
    private let consumer: KafkaConsumer
    private let assignment: Assignment
    private let lanes: [LaneQueue]
    private let progress: PartitionProgress
    let metrics: RuntimeMetrics
    private let logger: Logger
    /// The poll loop's turns (liveness) and whether its last poll failed (readiness).
    let pollHealth = LoopHealth()
    /// The messages of the partitions held that are still to be applied, as
    /// of the last poll: what the stage has yet to catch up on; nil until
    /// every partition held has been measured.
    let backlog = Backlog()

    /// How long a lane may leave its messages waiting before the poll loop
    /// pauses its partitions: long enough that pausing (which drops what
    /// librdkafka prefetched) is kept for a lane that is stuck (retrying a
    /// transient fault, say), short enough that polling goes on for the rest.
    private static var stuckLaneWait: Duration { .seconds(1) }

    /// - Parameter registry: where the worker's metrics go: the registry the
    ///   process serves at `/metrics` (a registry of its own by default).
    /// - Throws: ``KafkaError`` when the consumer cannot be created.
    public init(
        handler: Handler, configuration: WorkerConfiguration, pool: PostgresPool, kafka: KafkaConfiguration, logger: Logger,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws {
        let logger = configuration.naming(logger)
        let assignment = Assignment()
        let lanes = (0..<configuration.lanes).map { _ in LaneQueue(batchSize: configuration.batchSize) }
        let metrics = RuntimeMetrics(service: configuration.serviceName, topics: configuration.topics, registry: registry)
        let progress = PartitionProgress()
        self.configuration = configuration
        self.handler = handler
        self.assignment = assignment
        self.lanes = lanes
        self.progress = progress
        self.metrics = metrics
        self.logger = logger
        self.applier = BatchApplier(handler: handler, configuration: configuration, pool: pool, metrics: metrics, logger: logger)
        self.consumer = try KafkaConsumer(
            configuration: kafka, groupID: configuration.serviceName, logger: logger,
            onRebalance: { rebalance in
                assignment.apply(rebalance)
                metrics.rebalanced(rebalance)
                if case .revoked(let partitions) = rebalance {
                    lanes.forEach { $0.discard(Set(partitions)) }
                    progress.forget(partitions)
                    partitions.forEach(metrics.forgetLag)
                }
            })
    }

    /// Whether the consumer has joined its group (it may hold no partition
    /// when replicas outnumber them): part of readiness.
    public var hasJoinedGroup: Bool { assignment.hasJoined }

    /// Whether the worker stopped taking messages to shut down: it is then
    /// not ready, so an orchestrator sends it no more work.
    public var isDraining: Bool { pollHealth.hasStopped }

    /// Whether the broker answers, within `timeout`.
    func brokerAnswers(timeout: Duration) async -> Bool {
        await consumer.brokerAnswers(timeout: timeout)
    }

    public func run() async throws {
        try await consumer.subscribe(to: configuration.topics)
        logger.info("worker consuming", metadata: ["topics": "\(configuration.topics)"])
        let laneTookBatch = Wakeup()
        let applied = AppliedBatches()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in lanes {
                    group.addTask {
                        try await drain(lane, laneTookBatch: laneTookBatch, applied: applied)
                    }
                }
                group.addTask {
                    defer { lanes.forEach { $0.finish() } }
                    try await pollIntoLanes(laneTookBatch: laneTookBatch, applied: applied)
                }
                // The first failure ends the worker (and cancels the rest);
                // on shutdown the lanes end once they have applied the batch in hand.
                while try await group.next() != nil {}
            }
            try await commitStored(waitForResult: true)
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        logger.info("worker left its group")
    }

    /// A lane: applies its queue a batch at a time, then marks the offsets
    /// ready to commit.
    private func drain(_ lane: LaneQueue, laneTookBatch: Wakeup, applied: AppliedBatches) async throws {
        let assignment = assignment
        while let batch = await lane.next() {
            laneTookBatch.signal()
            let done = try await applier.applyRetrying(batch) { assignment.held }
            guard !done.isEmpty else { continue }
            consumer.store(done)
            applied.count.add(1, ordering: .releasing)
            progress.applied(done)
        }
    }

    /// Polls and hands each message to its partition's lane until shutdown;
    /// commits what the lanes applied every ``WorkerConfiguration/commitInterval``.
    private func pollIntoLanes(laneTookBatch: Wakeup, applied: AppliedBatches) async throws {
        var router = LaneRouter(lanes: lanes.count)
        var paused: Set<KafkaTopicPartition> = []
        var startsAsked: [KafkaTopicPartition: ContinuousClock.Instant] = [:]
        var committedUpTo = 0
        var lastCommit = ContinuousClock.now
        defer { pollHealth.stopped() }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            pollHealth.alive()
            let stuck = Set(lanes.indices.filter { lanes[$0].isStuck(after: Self.stuckLaneWait) })
            let waiting = lanes.indices.filter { !stuck.contains($0) }.reduce(0) { $0 + lanes[$1].count }
            if waiting >= configuration.readAhead {
                await laneTookBatch.wait(upTo: Self.stuckLaneWait)
                continue
            }
            if !stuck.isEmpty || !paused.isEmpty {
                // A stuck lane's partitions are paused, including any it is
                // given meanwhile. Paused partitions stay paused through a
                // rebalance, so one lost while paused is resumed all the same.
                let held = assignment.held
                let onStuckLane = { (partition: KafkaTopicPartition) in stuck.contains(router.lane(of: partition, holding: held)) }
                let toKeepPaused = held.filter(onStuckLane).union(paused.filter { !held.contains($0) && onStuckLane($0) })
                try await changePartitions(toKeepPaused.subtracting(paused), consumer.pause)
                try await changePartitions(paused.subtracting(toKeepPaused), consumer.resume)
                if toKeepPaused != paused {
                    logger.debug("partitions of lanes not taking messages are paused", metadata: ["paused": "\(toKeepPaused.sorted())"])
                    metrics.paused(toKeepPaused.count)
                }
                paused = toKeepPaused
            }
            let messages: [KafkaMessage]
            do {
                messages = try await consumer.poll(maxMessages: configuration.batchSize, timeout: configuration.batchMaxWait)
            } catch where Fault.isTransient(error) {
                pollHealth.failed()
                logger.warning("poll failed with a transient fault; polling again", metadata: ["error": "\(error)"])
                try await Task.sleep(for: configuration.retryInitialDelay)
                continue
            }
            pollHealth.succeeded()
            // The rebalances the poll served are in; messages of a partition lost meanwhile are dropped.
            let held = assignment.held
            var perLane = [[KafkaMessage]](repeating: [], count: lanes.count)
            for message in messages where held.contains(message.topicPartition) {
                perLane[router.lane(of: message.topicPartition, holding: held)].append(message)
            }
            for (lane, messages) in zip(lanes, perLane) { lane.append(messages) }
            progress.saw(perLane.joined())
            await learnStarts(of: held, asked: &startsAsked)
            recordLag(held: held)

            let appliedNow = applied.count.load(ordering: .acquiring)
            if appliedNow != committedUpTo && ContinuousClock.now - lastCommit >= configuration.commitInterval {
                try await commitStored(waitForResult: false)
                committedUpTo = appliedNow
                lastCommit = .now
            }
        }
    }

    /// Pauses or resumes partitions; the member may have lost some of them
    /// since they were chosen, which is no reason to stop.
    private func changePartitions(
        _ partitions: Set<KafkaTopicPartition>, _ change: ([KafkaTopicPartition]) async throws -> Void
    ) async throws {
        guard !partitions.isEmpty else { return }
        do {
            try await change(partitions.sorted())
        } catch let error as KafkaError {
            logger.info("pausing or resuming partitions failed", metadata: ["error": "\(error)"])
        }
    }

    /// A failed commit loses nothing: the next one carries the same offsets,
    /// or the next owner reads the messages again and its inbox skips them.
    private func commitStored(waitForResult: Bool) async throws {
        do {
            try await consumer.commitStored(waitForResult: waitForResult)
        } catch let error as KafkaError where error.code == .commitFailed {
            logger.info("offset commit failed; the next commit carries the offsets", metadata: ["error": "\(error)"])
        }
    }

    /// Asks the broker where the partitions held but not yet read from start
    /// (once each, again a second after a failure), so their messages count
    /// in the lag and the backlog before the first of them arrives.
    private func learnStarts(of held: Set<KafkaTopicPartition>, asked: inout [KafkaTopicPartition: ContinuousClock.Instant]) async {
        asked = asked.filter { held.contains($0.key) }
        let known = progress.nextToApply
        let now = ContinuousClock.now
        let unknown = held.filter { known[$0] == nil && asked[$0].map { now - $0 >= .seconds(1) } ?? true }
        guard !unknown.isEmpty else { return }
        unknown.forEach { asked[$0] = now }
        do {
            progress.start(at: try await consumer.startingOffsets(for: unknown.sorted(), timeout: .seconds(1)))
        } catch {
            logger.debug("could not learn where partitions start; asking again", metadata: ["error": "\(error)"])
        }
    }

    /// Each held partition's lag, from the high watermark librdkafka last
    /// fetched: measured at every poll, so it grows while messages wait
    /// (the database down, say), not only when a batch commits.
    private func recordLag(held: Set<KafkaTopicPartition>) {
        let next = progress.nextToApply
        var total: Int64 = 0
        var measured = true
        for partition in held {
            guard let start = next[partition], let end = consumer.cachedLogEndOffset(of: partition) else {
                measured = false
                continue
            }
            metrics.lag(end - start, of: partition)
            total += max(0, end - start)
        }
        backlog.messages = measured ? Int(total) : nil
    }
}

/// The next offset to apply in each partition: where the broker says the
/// group starts reading it, or the first offset the poll loop saw, then past
/// each batch the lanes applied.
private final class PartitionProgress: Sendable {
    private let next = Mutex<[KafkaTopicPartition: Int64]>([:])

    func saw(_ messages: some Sequence<KafkaMessage>) {
        next.withLock { next in
            for message in messages where next[message.topicPartition] == nil { next[message.topicPartition] = message.offset }
        }
    }

    /// Where partitions not yet seen start, as the broker told.
    func start(at offsets: [KafkaTopicPartition: Int64]) {
        next.withLock { next in
            for (partition, offset) in offsets where next[partition] == nil { next[partition] = offset }
        }
    }

    func applied(_ batch: [KafkaMessage]) {
        next.withLock { next in
            for (partition, offset) in KafkaConsumer.nextOffsets(after: batch) { next[partition] = max(next[partition] ?? offset, offset) }
        }
    }

    func forget(_ partitions: [KafkaTopicPartition]) {
        next.withLock { next in partitions.forEach { next[$0] = nil } }
    }

    var nextToApply: [KafkaTopicPartition: Int64] { next.withLock { $0 } }
}

/// How many messages a consumer has yet to apply, for the loops beside it;
/// nil until it has measured every partition it holds.
final class Backlog: Sendable {
    private let count = Atomic<Int>(-1)

    var messages: Int? {
        get {
            let value = count.load(ordering: .relaxed)
            return value < 0 ? nil : value
        }
        set { count.store(newValue ?? -1, ordering: .relaxed) }
    }
}

/// How many batches the lanes have applied: the poll loop commits when it moved.
private final class AppliedBatches: Sendable {
    let count = Atomic<Int>(0)
}

/// Which lane applies a partition: chosen when the partition is first seen
/// (the lane with the fewest partitions held) and kept, so a partition's
/// messages never sit in two lanes at once.
private struct LaneRouter {
    private let lanes: Int
    private var laneOfPartition: [KafkaTopicPartition: Int] = [:]

    init(lanes: Int) {
        self.lanes = lanes
    }

    mutating func lane(of partition: KafkaTopicPartition, holding held: Set<KafkaTopicPartition>) -> Int {
        if let lane = laneOfPartition[partition] { return lane }
        var load = [Int](repeating: 0, count: lanes)
        for (mapped, lane) in laneOfPartition where held.contains(mapped) { load[lane] += 1 }
        let chosen = load.indices.min { load[$0] < load[$1] }!
        laneOfPartition[partition] = chosen
        return chosen
    }
}

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

    /// The partitions held now.
    var held: Set<KafkaTopicPartition> { state.withLock { $0.held } }
    var hasJoined: Bool { state.withLock { $0.hasJoined } }
}
