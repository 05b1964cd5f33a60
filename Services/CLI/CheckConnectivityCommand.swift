import ArgumentParser
import Foundation
import Kafka
import Logging
import Postgres

struct CheckConnectivityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectivity",
        abstract: "Check that PostgreSQL and Kafka are reachable and working.",
        discussion: """
            Writes and reads back a row in a temporary table, then produces a message and \
            consumes it back. Exits 0 when both work, 2 when either fails.
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "The topic the Kafka round trip uses; created with one partition if missing.")
    var topic = "turnaround.check"


    func run() async throws {
        let logger = common.makeLogger()
        var failed = false
        do {
            print("postgres: ok (\(try await checkPostgres(logger: logger)))")
        } catch {
            failed = true
            print("postgres: FAILED: \(error)")
        }
        do {
            print("kafka:    ok (\(try await checkKafka(logger: logger)))")
        } catch {
            failed = true
            print("kafka:    FAILED: \(error)")
        }
        if failed { throw CommandFailure.environmentStatus }
    }

    private func checkPostgres(logger: Logger) async throws -> String {
        let pool = PostgresPool(configuration: try common.postgresConfiguration(), logger: logger)
        defer { pool.close() }
        let clock = ContinuousClock()
        let marker = UUID()
        var version = ""
        let elapsed = try await clock.measure {
            version = try await pool.withTransaction { connection in
                try connection.execute("CREATE TEMPORARY TABLE turnaround_check (marker uuid) ON COMMIT DROP")
                try connection.execute("INSERT INTO turnaround_check (marker) VALUES (\(marker))")
                let readBack = try connection.query("SELECT marker FROM turnaround_check").decode(UUID.self)
                guard readBack == [marker] else { throw CheckFailure("the row read back differs from the row written") }
                return try connection.query("SHOW server_version").decode(String.self)[0]
            }
        }
        return "server \(version), written and read back in \(milliseconds(elapsed))"
    }

    private func checkKafka(logger: Logger) async throws -> String {
        let configuration = try common.kafkaConfiguration()
        try await KafkaAdmin(configuration: configuration, logger: logger).createTopic(topic, partitions: 1, timeout: .seconds(common.timeout))
        let marker = Array(UUID().uuidString.utf8)
        let clock = ContinuousClock()
        let start = clock.now

        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let report = try await producer.send(KafkaOutgoingMessage(topic: topic, key: nil, value: marker))
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: configuration, groupID: "turnaround-check-\(UUID().uuidString)", logger: logger)
        try await consumer.subscribe(to: [topic])
        let deadline = start + .seconds(common.timeout)
        var found = false
        while !found, clock.now < deadline {
            found = try await consumer.poll(timeout: .milliseconds(250)).contains { $0.value == marker }
        }
        await consumer.close()
        guard found else { throw CheckFailure("the message sent to \(topic) did not come back within \(common.timeout) s") }
        let elapsed = clock.now - start
        return "sent to \(report.topic)[\(report.partition)] at offset \(report.offset), consumed back in "
            + milliseconds(elapsed)
    }

    private func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }
}

struct CheckFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
