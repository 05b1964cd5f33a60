import ArgumentParser
import Foundation
import Kafka
import Logging
import Postgres

/// Throughput of the Swift Kafka and Postgres layers, one measurement per
/// subcommand, each printing one line: `<name> <count> <seconds> <per second>`.
@main
struct Benchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnaround-bench",
        abstract: "Measure the Kafka and Postgres layers (DATABASE_URL, KAFKA_BROKERS) and the rules engine.",
        subcommands: [
            KafkaProduce.self, KafkaConsume.self, PostgresBatchedInsert.self, PostgresCopy.self, RulesEligibility.self,
            WorkerThroughput.self, IntakeStage.self, ScreeningStage.self, ClaimsStage.self, PipelineRun.self, FinanceReportsBench.self, ContractDecode.self,
            RescreenStage.self, WhatIf.self,
        ])

    static let logger = Logger(label: "turnaround.bench") { _ in SwiftLogNoOpLogHandler() }

    static func report(_ name: String, count: Int, elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        let total = Double(seconds) + Double(attoseconds) / 1e18
        print(String(format: "%@ %d %.3f %.0f", name, count, total, Double(count) / total))
    }
}

struct KafkaProduce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Produce keyed 100-byte messages, idempotently.")
    @Option var topic: String
    @Option var count = 1_000_000

    func run() async throws {
        let producer = try KafkaProducer(configuration: .fromEnvironment(), logger: Benchmark.logger)
        let payload = [UInt8](repeating: 0x61, count: 100)
        let keys = (0..<1000).map { Array("family-\($0)".utf8) }
        let elapsed = try await ContinuousClock().measure {
            for number in 0..<count {
                try await producer.enqueue(KafkaOutgoingMessage(topic: topic, key: keys[number % 1000], value: payload))
            }
            try await producer.flush(timeout: .seconds(300))
        }
        await producer.shutdown()
        Benchmark.report("swift-kafka-produce", count: count, elapsed: elapsed)
    }
}

struct KafkaConsume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Consume messages in batches of 1,000 and commit each batch.")
    @Option var topic: String
    @Option var count = 1_000_000

    func run() async throws {
        let consumer = try KafkaConsumer(
            configuration: .fromEnvironment(), groupID: "bench-\(UUID().uuidString)", logger: Benchmark.logger)
        try await consumer.subscribe(to: [topic])
        var first = try await consumer.poll(maxMessages: 1000, timeout: .seconds(60))
        let clock = ContinuousClock()
        let start = clock.now
        var received = first.count
        try await consumer.commit(first)
        first = []
        while received < count {
            let batch = try await consumer.poll(maxMessages: 1000, timeout: .seconds(10))
            guard !batch.isEmpty else { break }
            received += batch.count
            try await consumer.commit(batch)
        }
        let elapsed = clock.now - start
        await consumer.close()
        Benchmark.report("swift-kafka-consume", count: received, elapsed: elapsed)
    }
}

/// The rows both Postgres measurements load: an evidence-like record.
enum BenchRows {
    static let createTable = PostgresQuery(
        unsafeSQL: """
            DROP TABLE IF EXISTS bench_evidence;
            CREATE TABLE bench_evidence (id bigint PRIMARY KEY, family_id text NOT NULL, kind text NOT NULL,
                                         recorded_on date NOT NULL, amount integer NOT NULL)
            """)

    static func row(_ id: Int) -> (Int, String, String, String, Int) {
        (id, "F\(id % 50_000)", id % 3 == 0 ? "attendance" : "offence", "2026-0\(1 + id % 9)-1\(id % 10)", id % 1000)
    }

    static func prepare(_ pool: PostgresPool) async throws {
        try await pool.withConnection { try $0.executeScript(unsafeSQL: createTable.sql, name: "bench table") }
    }
}

struct PostgresBatchedInsert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Insert rows with one prepared multi-row statement per batch (array parameters).")
    @Option var rows = 500_000
    @Option var batch = 1000

    func run() async throws {
        let pool = PostgresPool(configuration: try .fromEnvironment(), logger: Benchmark.logger)
        defer { pool.close() }
        try await BenchRows.prepare(pool)
        let total = rows
        let size = batch
        let elapsed = try await ContinuousClock().measure {
            try await pool.withConnection { connection in
                for start in stride(from: 0, to: total, by: size) {
                    let records = (start..<min(start + size, total)).map(BenchRows.row)
                    try connection.execute(
                        """
                        INSERT INTO bench_evidence (id, family_id, kind, recorded_on, amount)
                        SELECT * FROM unnest(\(records.map(\.0))::bigint[], \(records.map(\.1))::text[],
                                             \(records.map(\.2))::text[], \(records.map(\.3))::date[],
                                             \(records.map(\.4))::integer[])
                        """, preparedAs: "bench_insert")
                }
            }
        }
        Benchmark.report("swift-postgres-batched-insert", count: total, elapsed: elapsed)
    }
}

struct PostgresCopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load rows with COPY FROM STDIN; optionally write the same rows as a file for psql.")
    @Option var rows = 500_000
    @Option(help: "Also write the rows, in COPY text format, to this file.") var writeFile: String?

    func run() async throws {
        let pool = PostgresPool(configuration: try .fromEnvironment(), logger: Benchmark.logger)
        defer { pool.close() }
        try await BenchRows.prepare(pool)
        let total = rows
        let elapsed = try await ContinuousClock().measure {
            try await pool.withConnection { connection -> Int in
                let statement: PostgresQuery = "COPY bench_evidence (id, family_id, kind, recorded_on, amount) FROM STDIN"
                return try connection.copyFrom(statement) { (writer: inout PostgresCopyWriter) in
                    for id in 0..<total {
                        let row = BenchRows.row(id)
                        writer.append(row.0)
                        writer.append(row.1)
                        writer.append(row.2)
                        writer.append(row.3)
                        writer.append(row.4)
                        try writer.endRow()
                    }
                }
            }
        }
        Benchmark.report("swift-postgres-copy", count: total, elapsed: elapsed)
        if let writeFile {
            let text = (0..<total).map { id in
                let row = BenchRows.row(id)
                return "\(row.0)\t\(row.1)\t\(row.2)\t\(row.3)\t\(row.4)\n"
            }.joined()
            try text.write(toFile: writeFile, atomically: true, encoding: .utf8)
        }
    }
}
