import ArgumentParser
import Contracts
import Digest
import Foundation
import Kafka
import Postgres
import Store

/// The pipeline as a new user runs it: N families' referrals and then their
/// evidence sent with `turnaround submit`, through one intake and one
/// screening process, in a schema and under topics of its own.
struct PipelineRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Families through turnaround submit → intake → screening: rates, time to settle, decisions a family, peak memory.")
    @Option var families = 20_000
    @Option(help: "The folder holding turnaround, turnaround-intake and turnaround-screening.") var binaries: String

    func run() async throws {
        let kafka = try KafkaConfiguration.fromEnvironment()
        let run = UUID().uuidString.prefix(8).lowercased()
        let schema = "bench_pipeline_\(run)"
        let pool = try await Benchmark.migratedPool(schema: schema)
        defer { pool.close() }

        let topics = Topics(prefix: "bench.pipeline.\(run).")
        try await Benchmark.createTopics(topics, kafka: kafka)

        // The agency's files and key, as an agency holds them.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-pipeline-\(run)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let agency = "bench-\(run)"
        let key = AgencySignature.newKey()
        try await pool.withConnection { try AgencyTable.register(id: agency, name: "bench", keyID: key.keyID, publicKey: key.publicKey, on: $0) }
        let keyFile = folder.appendingPathComponent("agency.key")
        try AgencyKeyFileText.text(agency: agency, keyID: key.keyID, privateKey: key.privateKey).write(to: keyFile, atomically: true, encoding: .utf8)
        let referrals = folder.appendingPathComponent("referrals.jsonl")
        let evidence = folder.appendingPathComponent("evidence.jsonl")
        try (0..<families).map { ContractJSON.encode(IntakeStage.referral(family: $0, run: run, agency: agency).referral) + "\n" }.joined()
            .write(to: referrals, atomically: true, encoding: .utf8)
        try (0..<families).flatMap { IntakeStage.evidence(family: $0, run: run, agency: agency).map { ContractJSON.encode($0.record) + "\n" } }.joined()
            .write(to: evidence, atomically: true, encoding: .utf8)

        let environment = [
            "DATABASE_URL": try Benchmark.databaseURL(searchPath: schema), "TOPIC_PREFIX": topics.prefix,
        ]
        let intake = try StageProcess.start(executable: binaries + "/turnaround-intake", prefix: topics.prefix, environment: environment)
        let screening = try StageProcess.start(
            executable: binaries + "/turnaround-screening", prefix: topics.prefix, environment: environment.merging(["AS_OF_DATE": "2013-09-01"]) { $1 })
        func count(_ query: PostgresQuery) async throws -> Int {
            try await pool.withConnection { try $0.query(query).decode(Int.self)[0] }
        }
        let deadlocksBefore = try await count("SELECT deadlocks::bigint FROM pg_stat_database WHERE datname = current_database()")

        func submit(_ kind: String, _ file: URL) async throws -> Duration {
            let started = ContinuousClock.now
            let cli = Process()
            cli.executableURL = URL(fileURLWithPath: binaries + "/turnaround")
            cli.arguments = ["submit", kind, file.path, "--agency", agency, "--key-file", keyFile.path]
            cli.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            cli.standardOutput = FileHandle.nullDevice
            try cli.run()
            while cli.isRunning { try await Task.sleep(for: .milliseconds(5)) }
            guard cli.terminationStatus == 0 else { throw ValidationError("turnaround submit \(kind) ended with status \(cli.terminationStatus)") }
            return ContinuousClock.now - started
        }
        /// Waits until `condition` holds, checking both stages still run.
        func until(_ condition: () async throws -> Bool) async throws -> ContinuousClock.Instant {
            while try await !condition() {
                try intake.checkRunning()
                try screening.checkRunning()
                try await Task.sleep(for: .milliseconds(100))
            }
            return .now
        }

        let start = ContinuousClock.now
        // Watched while the evidence is still being sent: intake stores the
        // referrals as they come, not after every submit has ended.
        let referralsWatch = Task { try await until { try await count("SELECT count(*) FROM referral") == families } }
        let submitReferrals = try await submit("referrals", referrals)
        let evidenceStart = ContinuousClock.now
        let submitEvidence = try await submit("evidence", evidence)
        let referralsStored = try await referralsWatch.value
        let evidenceScreened = try await until { try await count("SELECT count(*) FROM screening_evidence") == 8 * families }
        let settled = try await until {
            guard try await count("SELECT count(*) FROM screening_pending") == 0 else { return false }
            let sent = try await count("SELECT count(*) FROM outbox_event WHERE topic IN (\(topics.referralsAccepted), \(topics.evidenceRecorded))")
            return try await count("SELECT count(*) FROM inbox_event WHERE consumer = \(topics.consumerGroup("screening"))") == sent
        }
        let decisions = try await count("SELECT count(*) FROM eligibility_decision")
        let deadlocks = try await count("SELECT deadlocks::bigint FROM pg_stat_database WHERE datname = current_database()") - deadlocksBefore
        let (intakeMiB, screeningMiB) = (intake.peakResidentMiB, screening.peakResidentMiB)
        try await intake.stop()
        try await screening.stop()

        Benchmark.report("pipeline-submit-referrals", count: families, elapsed: submitReferrals)
        Benchmark.report("pipeline-submit-evidence", count: 8 * families, elapsed: submitEvidence)
        Benchmark.report("pipeline-referrals-to-intake", count: families, elapsed: referralsStored - start)
        Benchmark.report("pipeline-evidence-to-screening", count: 8 * families, elapsed: evidenceScreened - evidenceStart)
        Benchmark.report("pipeline-settled", count: 9 * families, elapsed: settled - start)
        print("pipeline-families \(families)")
        print(String(format: "pipeline-settled-seconds %.1f", Double((settled - start).components.seconds) + Double((settled - start).components.attoseconds) / 1e18))
        print(String(format: "pipeline-decisions-per-family %.2f", Double(decisions) / Double(families)))
        print(String(format: "pipeline-peak-rss-mib-intake %.0f", intakeMiB))
        print(String(format: "pipeline-peak-rss-mib-screening %.0f", screeningMiB))
        print("pipeline-deadlocks \(deadlocks)")
    }
}
