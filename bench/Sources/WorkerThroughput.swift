import ArgumentParser
import Foundation
import Kafka
import Logging
import Postgres
import ServiceLifecycle
import Store
import WorkerRuntime

/// Writes one row per event: the benchmark's no-op handler. The payload is
/// the time the event was produced, in nanoseconds, so latency is measurable.
struct OneRowHandler: WorkerHandler {
    func decode(_ message: KafkaMessage) throws(Rejection) -> Int64 {
        guard let produced = Int64(String(decoding: message.value, as: UTF8.self)) else { throw Rejection("payload is not a time") }
        return produced
    }

    func apply(_ events: [Int64], in batch: inout HandlerBatch) throws {
        try batch.connection.execute(
            """
            INSERT INTO bench_effect (produced_ns, applied_at)
            SELECT produced, clock_timestamp() FROM unnest(\(events.map(Int.init))::bigint[]) AS produced
            """, preparedAs: "bench_effect_insert")
    }
}

struct WorkerThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events/s through the worker runtime (one row per event, batch 500) vs raw batched insert; latency at a fixed rate.")
    @Option var events = 200_000
    @Option(help: "Events/s offered for the latency measurement.") var rate = 1000
    @Option(help: "Seconds the latency measurement lasts.") var seconds = 15
    @Option(help: "Transactions side by side in the worker.") var lanes = 4

    func run() async throws {
        let logger = Benchmark.logger
        let kafka = try KafkaConfiguration.fromEnvironment()
        let pool = try await Benchmark.migratedPool()
        defer { pool.close() }
        try await pool.withConnection { connection in
            try connection.executeScript(
                unsafeSQL: """
                    DROP TABLE IF EXISTS bench_effect, bench_effect_raw, bench_inbox_raw;
                    CREATE TABLE bench_effect (produced_ns bigint NOT NULL, applied_at timestamptz NOT NULL);
                    CREATE TABLE bench_effect_raw (produced_ns bigint NOT NULL, applied_at timestamptz NOT NULL);
                    CREATE TABLE bench_inbox_raw (LIKE inbox_event INCLUDING ALL);
                    """, name: "bench tables")
        }

        // Raw: the same rows, 500 a statement, one connection; then with the inbox rows too.
        let count = events
        // What the worker records of each event besides its id: a 32-byte digest.
        let digest = Data(repeating: 0xab, count: 32)
        func insertRaw(withInbox: Bool) async throws -> Duration {
            try await pool.withConnection { try $0.execute("TRUNCATE bench_effect_raw, bench_inbox_raw") }
            return try await ContinuousClock().measure {
                try await pool.withConnection { connection in
                    for start in stride(from: 0, to: count, by: 500) {
                        let rows = Array(start..<min(start + 500, count))
                        try connection.execute(
                            """
                            INSERT INTO bench_effect_raw (produced_ns, applied_at)
                            SELECT produced, clock_timestamp() FROM unnest(\(rows)::bigint[]) AS produced
                            """, preparedAs: "bench_raw_insert")
                        guard withInbox else { continue }
                        try connection.execute(
                            """
                            INSERT INTO bench_inbox_raw (consumer, event_id, topic, kafka_partition, kafka_offset, content_digest)
                            SELECT 'bench', 'bench.topic/' || (n % 8) || '/' || n, 'bench.topic', n % 8, n, digest
                            FROM unnest(\(rows)::bigint[], \(rows.map { _ in digest })::bytea[]) AS raw (n, digest)
                            """, preparedAs: "bench_raw_inbox")
                    }
                }
            }
        }
        Benchmark.report("postgres-batched-insert-same-rows", count: count, elapsed: try await insertRaw(withInbox: false))
        let rawWithInbox = try await insertRaw(withInbox: true)
        Benchmark.report("postgres-batched-insert-effect-and-inbox-rows", count: count, elapsed: rawWithInbox)

        // Throughput: a backlog of events, drained by one worker.
        let backlogTopic = "bench.worker.\(UUID().uuidString.prefix(8))"
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        try await admin.createTopic(backlogTopic, partitions: 8)
        try await admin.createTopic(backlogTopic + ".dlq", partitions: 8)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        for number in 0..<count {
            try await producer.enqueue(
                KafkaOutgoingMessage(
                    topic: backlogTopic, key: Array("family-\(number % 5000)".utf8), value: Array("0".utf8), headers: [.newEventID()]))
        }
        try await producer.flush(timeout: .seconds(300))
        let throughput = try await runWorker(topic: backlogTopic, pool: pool, kafka: kafka, logger: logger) {
            try await waitForCommitted(count, topic: backlogTopic, kafka: kafka, logger: logger)
        }
        Benchmark.report("worker-one-row-per-event", count: count, elapsed: throughput)

        // Latency: events offered at a fixed rate, produced → committed.
        try await pool.withConnection { try $0.execute("TRUNCATE bench_effect") }
        let latencyTopic = "bench.latency.\(UUID().uuidString.prefix(8))"
        try await admin.createTopic(latencyTopic, partitions: 8)
        try await admin.createTopic(latencyTopic + ".dlq", partitions: 8)
        let offered = rate * seconds
        let interval = Duration.seconds(1) / rate
        _ = try await runWorker(topic: latencyTopic, pool: pool, kafka: kafka, logger: logger) {
            // Let the worker join its group before the clock starts.
            try await Task.sleep(for: .seconds(5))
            let start = ContinuousClock.now
            for number in 0..<offered {
                try await Task.sleep(until: start + interval * number)
                try await producer.enqueue(
                    KafkaOutgoingMessage(
                        topic: latencyTopic, key: Array("family-\(number % 5000)".utf8),
                        value: Array(String(Self.nowNanoseconds()).utf8), headers: [.newEventID()]))
            }
            try await producer.flush()
            return try await waitForCommitted(offered, topic: latencyTopic, kafka: kafka, logger: logger)
        }
        await producer.shutdown()
        let (p50, p99) = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latency), percentile_cont(0.99) WITHIN GROUP (ORDER BY latency)
                FROM (SELECT extract(epoch FROM applied_at) * 1000 - produced_ns / 1e6 AS latency FROM bench_effect) AS measured
                """
            ).decode((Double, Double).self)[0]
        }
        print(String(format: "worker-latency-ms %d p50 %.1f p99 %.1f (at %d events/s offered)", offered, p50, p99, rate))
    }

    static func nowNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Runs a worker on `topic` while `body` runs; returns what `body` measured.
    private func runWorker(
        topic: String, pool: PostgresPool, kafka: KafkaConfiguration, logger: Logger,
        _ body: () async throws -> Duration
    ) async throws -> Duration {
        let consumer = try ConsumerWorker(
            handler: OneRowHandler(),
            configuration: WorkerConfiguration(serviceName: "bench-\(topic)", topics: [topic], lanes: lanes),
            pool: pool, kafka: kafka, logger: logger)
        let group = try Worker.serviceGroup(
            consumer, postgres: pool.configuration, kafka: kafka, shutdownTimeout: .seconds(30), logger: logger, signals: [])
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let measured = try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return measured
        }
    }

    /// Waits until the worker's group has committed `count` messages of the
    /// topic, timing from its first commit so the group's join is not counted.
    /// Watching the broker, not the table, keeps the measurement off Postgres.
    private func waitForCommitted(_ count: Int, topic: String, kafka: KafkaConfiguration, logger: Logger) async throws -> Duration {
        let observer = try KafkaConsumer(configuration: kafka, groupID: "bench-\(topic)", logger: logger)
        let partitions = (0..<Int32(8)).map { KafkaTopicPartition(topic: topic, partition: $0) }
        func committed() async throws -> Int64 {
            try await observer.committedOffsets(for: partitions).values.reduce(0, +)
        }
        while try await committed() == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let start = ContinuousClock.now
        while try await committed() < Int64(count) { try await Task.sleep(for: .milliseconds(20)) }
        let elapsed = ContinuousClock.now - start
        await observer.close()
        return elapsed
    }
}
