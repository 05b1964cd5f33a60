import Kafka
import Logging
import Postgres
import Store

/// Applies one batch in one Postgres transaction: the inbox rows, the
/// handler's effects and the emitted events and dead letters commit together.
struct BatchApplier<Handler: WorkerHandler>: Sendable {
    let handler: Handler
    let configuration: WorkerConfiguration
    let pool: PostgresPool
    let metrics: RuntimeMetrics
    let logger: Logger

    /// Applies `batch`, retrying transient faults with backoff until it commits.
    /// - Parameter held: the partitions the member holds now; the
    ///   messages of a partition lost meanwhile are left to its next owner.
    /// - Returns: the messages applied (or skipped as applied before):
    ///   their offsets may be committed.
    func applyRetrying(
        _ batch: [KafkaMessage], held: @Sendable () -> Set<KafkaTopicPartition>
    ) async throws -> [KafkaMessage] {
        let backoff = Backoff(initial: configuration.retryInitialDelay, maximum: configuration.retryMaxDelay)
        var logger = logger
        logger[metadataKey: "batch"] = "\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        var attempt = 0
        while true {
            let partitions = held()
            let stillHeld = batch.filter { partitions.contains($0.topicPartition) }
            guard !stillHeld.isEmpty else { return [] }
            do {
                try await apply(stillHeld, logger: logger)
                return stillHeld
            } catch where Fault.isTransient(error) {
                attempt += 1
                metrics.retried()
                logger.warning(
                    "batch failed with a transient fault; retrying",
                    metadata: ["attempt": "\(attempt)", "error": "\(error)", "messages": "\(stillHeld.count)", "offsets": "\(Self.offsets(of: stillHeld))"])
                try await Task.sleep(for: backoff.delay(attempt: attempt))
            }
        }
    }

    /// Where a batch's messages sit: `topic[partition]:first-last` for each partition.
    static func offsets(of batch: [KafkaMessage]) -> String {
        Dictionary(grouping: batch, by: \.topicPartition).sorted { $0.key < $1.key }.map { partition, messages in
            let offsets = messages.map(\.offset)
            return "\(partition):\(offsets.min()!)-\(offsets.max()!)"
        }.joined(separator: " ")
    }

    private func apply(_ batch: [KafkaMessage], logger: Logger) async throws {
        let started = ContinuousClock.now
        let handler = handler
        let service = configuration.serviceName
        // A dead letter another stage replays is its alone: this stage
        // applied the original, and passes the copy by.
        var ours: [KafkaMessage] = []
        var passedBy: [KafkaMessage] = []
        for message in batch {
            if let stage = message.replayFor, stage != service { passedBy.append(message) } else { ours.append(message) }
        }
        guard !ours.isEmpty else {
            record(BatchOutcome(), batch: batch, passedBy: passedBy, duration: .now - started, logger: logger)
            return
        }
        // Read once: each message's identity and what the handler makes of
        // it; a message without an id is never applied.
        let incoming = ours.map { message in
            let identity = MessageIdentity(message)
            return Incoming(
                message: message, identity: identity,
                event: identity.hasEventID
                    ? Result { () throws(Rejection) -> Handler.Event in try handler.decode(message) }
                    : .failure(Rejection(MessageIdentity.missingIDReason)))
        }
        // The whole batch in one statement set, taking every event as new
        // (the inbox then checks no row for a conflict). If one was seen
        // before, the batch is applied again skipping those; if an event
        // spoils it, again one event at a time, so only the failing events
        // are set aside. Each fallback is taken at most once.
        let entries = incoming.map {
            InboxTable.Entry(
                eventID: $0.identity.eventID, topic: $0.message.topic, partition: $0.message.partition, offset: $0.message.offset,
                contentDigest: $0.identity.contentDigest)
        }
        func attempt(_ mode: AttemptMode) async throws -> BatchOutcome {
            try await pool.withTransaction { connection in
                var outcome = BatchOutcome()
                var toApply: [Intended<Handler.Event>] = []
                if mode.assumeNew {
                    try InboxTable.recordAll(entries, consumer: service, on: connection)
                    for item in incoming { outcome.sort(item, into: &toApply) }
                } else {
                    // A message redelivered within this same batch is in `unclaimed` once: its first copy counts.
                    var unclaimed = try InboxTable.recordNew(entries, consumer: service, on: connection)
                    let repeats = incoming.map(\.identity.eventID).filter { !unclaimed.contains($0) }
                    // Read after recording, so a repeat within this batch is compared with its first copy.
                    let recorded = try InboxTable.contentDigests(of: repeats, consumer: service, on: connection)
                    for item in incoming {
                        if unclaimed.remove(item.identity.eventID) != nil {
                            outcome.sort(item, into: &toApply)
                        } else if let digest = recorded[item.identity.eventID], digest != item.identity.contentDigest {
                            outcome.deadLetters.append((item.message, Self.conflictReason(item.identity.eventID)))
                        } else {
                            outcome.duplicates.append(item.message)
                        }
                    }
                }
                let verdicts = try handler.admit(toApply.map(\.event), on: connection)
                precondition(verdicts.count == toApply.count, "admit(_:on:) answers once for each event")
                for (item, rejection) in zip(toApply, verdicts) {
                    if let rejection { outcome.deadLetters.append((item.message, rejection.reason)) }
                }
                toApply = zip(toApply, verdicts).filter { $0.1 == nil }.map(\.0)
                try handler.lock(toApply.map(\.event), on: connection)
                var emitted: [OutboxEvent] = []
                var lastWork: [(PostgresConnection) throws -> Void] = []
                if mode.oneByOne {
                    for item in toApply {
                        try connection.execute("SAVEPOINT event")
                        do {
                            var handlerBatch = HandlerBatch(connection: connection)
                            try handler.apply([item.event], in: &handlerBatch)
                            emitted += handlerBatch.emitted
                            lastWork += handlerBatch.lastWork
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
                    lastWork = handlerBatch.lastWork
                    outcome.applied = toApply.map(\.message)
                }
                if !outcome.deadLetters.isEmpty {
                    var answers = HandlerBatch(connection: connection)
                    try handler.deadLettered(outcome.deadLetters, in: &answers)
                    emitted += answers.emitted
                    lastWork += answers.lastWork
                }
                let letters = outcome.deadLetters.map { DeadLetter.entry(for: $0.message, reason: $0.reason) }
                let references = try DeadLetterTable.record(letters, service: service, on: connection)
                let notices = try zip(letters, references).map { try DeadLetter.notice(for: $0, reference: $1, service: service) }
                try OutboxTable.append(emitted + notices, stage: service, on: connection)
                for work in lastWork { try work(connection) }
                outcome.references = references
                return outcome
            }
        }
        var mode = AttemptMode()
        let outcome: BatchOutcome
        while true {
            do {
                outcome = try await attempt(mode)
                break
            } catch is InboxTable.SeenBefore {
                mode.assumeNew = false
            } catch is BatchSpoiled {
                mode.oneByOne = true
            }
        }
        record(outcome, batch: batch, passedBy: passedBy, duration: .now - started, logger: logger)
    }

    static func conflictReason(_ eventID: String) -> String {
        "event id \(eventID) was applied before with other content: a producer reused an id, or a message was altered"
    }

    private func record(_ outcome: BatchOutcome, batch: [KafkaMessage], passedBy: [KafkaMessage], duration: Duration, logger: Logger) {
        metrics.count(.processed, outcome.applied)
        metrics.count(.duplicate, outcome.duplicates)
        metrics.count(.passedBy, passedBy)
        metrics.count(.deadLettered, outcome.deadLetters.map(\.message))
        if !passedBy.isEmpty {
            logger.notice(
                "replayed dead letters of another stage passed by",
                metadata: ["messages": "\(passedBy.count)", "offsets": "\(Self.offsets(of: passedBy))"])
        }
        for (letter, reference) in zip(outcome.deadLetters, outcome.references) {
            logger.warning(
                "message dead-lettered",
                metadata: [
                    "topic": "\(letter.message.topic)", "partition": "\(letter.message.partition)",
                    "offset": "\(letter.message.offset)", "event_id": "\(letter.message.eventID ?? "none")", "reason": "\(letter.reason)",
                    "dead_letter": "\(reference)",
                ])
        }
        metrics.batch(size: batch.count, duration: duration)
        logger.debug(
            "batch applied",
            metadata: [
                "messages": "\(batch.count)", "duplicates": "\(outcome.duplicates.count)", "passed_by": "\(passedBy.count)",
                "offsets": "\(Self.offsets(of: batch))",
            ])
    }
}

/// A message as a batch reads it: its identity and the handler's reading.
private struct Incoming<Event: Sendable>: Sendable {
    let message: KafkaMessage
    let identity: MessageIdentity
    let event: Result<Event, Rejection>
}

/// An event the handler read and is to apply.
private struct Intended<Event: Sendable>: Sendable {
    let message: KafkaMessage
    let event: Event
}

/// How a batch is tried: ``BatchApplier`` falls back from the defaults.
private struct AttemptMode {
    /// No event was recorded before: the inbox checks no conflict.
    var assumeNew = true
    /// Each event in a savepoint of its own, to set aside the failing ones.
    var oneByOne = false
}

/// What became of each message of a batch.
private struct BatchOutcome: Sendable {
    var applied: [KafkaMessage] = []
    var duplicates: [KafkaMessage] = []
    var deadLetters: [(message: KafkaMessage, reason: String)] = []
    /// The dead letters' ids in the dead-letter table, in their order.
    var references: [Int64] = []

    /// A new event goes to the handler, or to the dead letters if it did not read.
    mutating func sort<Event>(_ item: Incoming<Event>, into toApply: inout [Intended<Event>]) {
        switch item.event {
        case .success(let event): toApply.append(Intended(message: item.message, event: event))
        case .failure(let rejection): deadLetters.append((item.message, rejection.reason))
        }
    }
}

/// A batch in which some event cannot be applied.
private struct BatchSpoiled: Error {}
