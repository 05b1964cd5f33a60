import Foundation
import IntegrationSupport
import Kafka
import Logging
import Postgres
import ServiceLifecycle
import Store
import Synchronization
import Testing
import WorkerRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one row per event, and one per call of `apply` with the events it
/// was given; rejects values starting "malformed" when reading them, refuses
/// to admit values starting "forged", and fails on values starting "poison"
/// when applying them; waits, on a
/// value starting "gate", for the advisory lock its text hashes to (see
/// ``WorkerHarness/holdingGate(_:_:)``); optionally emits each event to an
/// output topic, and then, with `checksOutboxBeforeCommit`, writes
/// "by commit: " and each of the batch's messages the outbox holds by the
/// batch's last statement.
struct RecordingHandler: WorkerHandler {
    var outputTopic: String?
    var checksOutboxBeforeCommit = false

    func decode(_ message: KafkaMessage) throws(Rejection) -> String {
        let value = String(decoding: message.value, as: UTF8.self)
        guard !value.hasPrefix("malformed") else { throw Rejection("value is not a valid event") }
        return value
    }

    func admit(_ events: [String], on connection: PostgresConnection) throws -> [Rejection?] {
        events.map { $0.hasPrefix("forged") ? Rejection("signature does not match") : nil }
    }

    func apply(_ events: [String], in batch: inout HandlerBatch) throws {
        if events.contains(where: { $0.hasPrefix("poison") }) { throw Rejection("event cannot be applied") }
        try batch.connection.execute("INSERT INTO apply_call (events) VALUES (\(events)::text[])")
        for gate in events where gate.hasPrefix("gate") {
            try batch.connection.execute("SELECT pg_advisory_xact_lock(hashtext(\(gate)))")
        }
        try batch.connection.execute("INSERT INTO effect (value) SELECT * FROM unnest(\(events)::text[])")
        if let outputTopic {
            for event in events {
                batch.emit(OutboxEvent(topic: outputTopic, key: Array(event.utf8), payload: Array(("out:" + event).utf8)))
            }
            if checksOutboxBeforeCommit {
                let sent = events.map { "out:" + $0 }
                batch.beforeCommit { connection in
                    try connection.execute(
                        """
                        INSERT INTO effect (value) SELECT 'by commit: ' || convert_from(payload, 'UTF8') FROM outbox_event
                        WHERE convert_from(payload, 'UTF8') = ANY(\(sent)::text[])
                        """)
                }
            }
        }
    }
}

/// A worker against the test servers, in a schema and with topics of its own.
struct WorkerHarness {
    let topic: String
    let service: String
    let pool: PostgresPool
    let kafka: KafkaConfiguration
    /// The database the schema is in, without the schema.
    let databaseURL: String
    /// Every topic the harness created, and its partition count.
    let topics: [String: Int]
    /// The worker processes the test started, shown when it fails.
    let processes = StartedProcesses()

    static let patience = Duration.seconds(60)

    /// Creates the topics (`topic`, `topic.dlq`, `extraTopics`) and the schema, then runs `body`.
    /// - Parameter kafkaBrokers: a broker of the test's own, instead of the shared one.
    static func with(
        partitions: Int = 4, extraTopics: [String] = [], databaseURL: String? = nil, kafkaBrokers: String? = nil,
        _ body: (WorkerHarness) async throws -> Void
    ) async throws {
        let url = try databaseURL ?? TestEnvironment.databaseURL()
        let kafka = try kafkaBrokers.map { KafkaConfiguration(brokers: [$0], clientID: "turnaround-tests") } ?? TestEnvironment.kafkaConfiguration()
        let topic = TestEnvironment.uniqueName("events")
        try await TestEnvironment.withTestSchema(databaseURL: url) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE effect (value text NOT NULL)")
                try connection.execute("CREATE TABLE apply_call (events text[] NOT NULL)")
            }
            let harness = WorkerHarness(
                topic: topic, service: TestEnvironment.uniqueName("service"), pool: pool, kafka: kafka, databaseURL: url,
                topics: [topic: partitions, topic + ".dlq": partitions].merging(extraTopics.map { ($0, partitions) }) { first, _ in first })
            try await harness.createTopics()
            do {
                try await body(harness)
            } catch {
                harness.processes.reportAndStop()
                throw error
            }
        }
    }

    /// Creates the harness's topics (again, after a broker lost them).
    func createTopics() async throws {
        let admin = try KafkaAdmin(configuration: kafka, logger: TestEnvironment.logger)
        for (name, partitions) in topics {
            try await admin.createTopic(name, partitions: partitions)
        }
    }

    /// Runs the worker while `body` runs, then shuts it down gracefully.
    func running(
        _ handler: RecordingHandler, logger: Logger = TestEnvironment.logger, _ body: () async throws -> Void
    ) async throws {
        let consumer = try ConsumerWorker(
            handler: handler,
            configuration: WorkerConfiguration(
                serviceName: service, topics: [topic], batchMaxWait: .milliseconds(50), relayPollInterval: .milliseconds(200)),
            pool: pool, kafka: kafka, logger: logger)
        let group = try Worker.serviceGroup(
            consumer, postgres: pool.configuration, kafka: kafka, shutdownTimeout: .seconds(20), logger: logger, signals: [])
        try await Self.running(group, body)
    }

    /// Runs `group` while `body` runs, then shuts it down gracefully, also when `body` fails.
    static func running(_ group: ServiceGroup, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Produces `values`, each with its id from `eventIDs`, or a new one, and
    /// `headers`; `withoutIDs` sends them with no id, as a stranger's producer might.
    func produce(_ values: [String], eventIDs: [String]? = nil, withoutIDs: Bool = false, headers extra: [KafkaHeader] = []) async throws {
        let producer = try KafkaProducer(configuration: kafka, logger: TestEnvironment.logger)
        for (index, value) in values.enumerated() {
            let headers = (withoutIDs ? [] : [eventIDs.map { KafkaHeader.eventID($0[index]) } ?? .newEventID()]) + extra
            try await producer.enqueue(
                KafkaOutgoingMessage(topic: topic, key: Array("family-\(index % 17)".utf8), value: Array(value.utf8), headers: headers))
        }
        try await producer.flush()
        await producer.shutdown()
    }

    /// Holds the lock a "gate" event waits for while `body` runs.
    func holdingGate(_ gate: String, _ body: () async throws -> Void) async throws {
        var configuration = pool.configuration
        configuration.maxConnections = 1
        let keeper = PostgresPool(configuration: configuration, logger: TestEnvironment.logger)
        defer { keeper.close() }
        try await keeper.withConnection { try $0.execute("SELECT pg_advisory_lock(hashtext(\(gate)))") }
        try await body()
        try await keeper.withConnection { try $0.execute("SELECT pg_advisory_unlock(hashtext(\(gate)))") }
    }

    /// Whether a transaction waits for the lock of `gate`.
    func someoneWaits(at gate: String) async throws -> Bool {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND NOT granted AND objid = (hashtext(\(gate))::bigint & 4294967295)::oid
                """
            ).decode(Int.self)[0] > 0
        }
    }

    /// The messages the worker set aside, as the dead-letter table keeps
    /// them (original value, reason), in the order they were set aside.
    func deadLetters() async throws -> [(value: String, reason: String)] {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT convert_from(payload, 'UTF8'), reason FROM dead_letter WHERE service = \(service) ORDER BY id"
            ).decode((String, String).self).map { (value: $0.0, reason: $0.1) }
        }
    }

    func effects() async throws -> [String] {
        try await pool.withConnection { try $0.query("SELECT value FROM effect ORDER BY value").decode(String.self) }
    }

    /// Waits until the worker's group has committed `count` messages of its
    /// topic: committed offsets, which start at 0, add up to it.
    func waitUntilCommitted(_ count: Int) async throws {
        let observer = try KafkaConsumer(configuration: kafka, groupID: service, logger: TestEnvironment.logger)
        let admin = try KafkaAdmin(configuration: kafka, logger: TestEnvironment.logger)
        let topic = topic
        var committed: Int64?
        do {
            // A broker busy with every suite at once may not answer one query in time: ask again.
            try await Self.eventually {
                guard let partitionCount = try? await admin.partitionCounts()[topic] else { return false }
                let partitions = (0..<Int32(partitionCount)).map { KafkaTopicPartition(topic: topic, partition: $0) }
                committed = (try? await observer.committedOffsets(for: partitions))?.values.reduce(0, +) ?? committed
                return committed == Int64(count)
            }
        } catch {
            Issue.record("the group committed \(committed.map(String.init) ?? "nothing readable") of \(count) messages")
            throw error
        }
        await observer.close()
    }

    /// Reads every message of a topic from the start with a fresh group, until `count` came.
    func consumeAll(_ topic: String, count: Int) async throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(configuration: kafka, groupID: TestEnvironment.uniqueName("reader"), logger: TestEnvironment.logger)
        try await consumer.subscribe(to: [topic])
        var messages: [KafkaMessage] = []
        let deadline = ContinuousClock.now + Self.patience
        while messages.count < count, ContinuousClock.now < deadline {
            messages += try await consumer.poll(timeout: .milliseconds(300))
        }
        // Anything beyond `count` that is already there would be a duplicate.
        messages += try await consumer.poll(timeout: .milliseconds(500))
        await consumer.close()
        return messages
    }

    /// Checks `condition` until it holds, failing after the harness's patience.
    static func eventually(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + patience
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw ConditionNeverHeld() }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    struct ConditionNeverHeld: Error {}
}

/// The worker processes a test started: when the test fails, each one's
/// output (its partition assignments, its errors) goes into the failure, and
/// those still running are killed so they take nothing from the next tests.
final class StartedProcesses: Sendable {
    private let processes = Mutex<[ChildProcess]>([])

    func add(_ process: ChildProcess) {
        processes.withLock { $0.append(process) }
    }

    func reportAndStop() {
        for process in processes.withLock({ $0 }) {
            let status = process.exitStatus.map { "ended with \($0)" } ?? "still running, killed"
            if process.exitStatus == nil { process.signal(SIGKILL) }
            let lines = process.output.split(separator: "\n", omittingEmptySubsequences: false).suffix(60)
            Issue.record("worker \(process.pid) \(status); its last lines (\(process.logPath)):\n\(lines.joined(separator: "\n"))")
        }
    }
}
