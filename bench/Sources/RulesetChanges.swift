import ArgumentParser
import Contracts
import Foundation
import Kafka
import Postgres
import Rules
import StageLogic
import Store
import Vocabulary

/// What a co-ordinator's change of rules costs: screening's families (as
/// ``ScreeningStage`` makes them: three members and eight evidence records
/// each), written straight into a schema of the bench's own.
enum RulesetChangeFamilies {
    /// Writes `count` families' members and evidence, 2,000 families a
    /// transaction, and has Postgres gather the tables' statistics, as it has
    /// of a database that held its families a while: measured just after a
    /// bulk write, the planner's plans changed in the middle of a run when
    /// autovacuum came to analyze the tables.
    /// - Returns: their ids.
    static func populate(_ count: Int, on pool: PostgresPool) async throws -> [UUID] {
        let topics = Topics()
        var familyIDs: [UUID] = []
        for start in stride(from: 0, to: count, by: 2_000) {
            let messages = (start..<min(start + 2_000, count)).flatMap { ScreeningStage.messages(family: $0, topics: topics) }
            let accepted = messages.compactMap { $0.1 as? ReferralAccepted }
            let evidence = messages.compactMap { $0.1 as? EvidenceRecorded }
            familyIDs += accepted.map(\.familyID)
            try await pool.withTransaction { connection in
                try ScreeningFamilyTable.upsert(accepted.map { ($0.familyID, $0.members) }, on: connection)
                try FamilyEvidence.record(evidence, in: .screening, on: connection)
            }
        }
        try await pool.withConnection { try $0.execute("ANALYZE screening_family, screening_evidence") }
        return familyIDs
    }
}

/// `turnaround rescreen --all` as screening does it: one request a family,
/// drained by one `turnaround-screening` process, every family decided and
/// recorded (none had a decision before: the most a rescreen can cost).
struct RescreenStage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Families/s rescreened by one turnaround-screening process, each decision recorded and sent.")
    @Option var families = 20_000
    @Option(help: "The turnaround-screening executable.") var screening: String

    func run() async throws {
        let kafka = try KafkaConfiguration.fromEnvironment()
        let schema = "bench_rescreen"
        let pool = try await Benchmark.migratedPool(schema: schema)
        defer { pool.close() }
        let topics = Topics(prefix: "bench.rescreen.\(UUID().uuidString.prefix(8)).")
        try await Benchmark.createTopics(topics, kafka: kafka)
        let familyIDs = try await RulesetChangeFamilies.populate(families, on: pool)
        let ruleset = try Ruleset.bundled("phase1-2012")
        let requestID = UUID()
        try await pool.withConnection { connection in
            try RescreenTable.insert(
                RescreenTable.Request(
                    requestID: requestID, requestedBy: "bench", rulesetID: ruleset.id, rulesetVersion: ruleset.version,
                    rulesetHash: ruleset.contentHash, asOf: "2013-09-01", families: familyIDs.count), on: connection)
        }
        let requests = familyIDs.map { familyID in
            (topic: topics.familiesRescreen, message: FamilyRescreenRequested(
                requestID: requestID, familyID: familyID, rulesetID: ruleset.id, rulesetVersion: ruleset.version,
                rulesetHash: ruleset.contentHash, asOf: CalendarDate(iso: "2013-09-01"), requestedBy: "bench") as any Contract)
        }
        let events = try await Benchmark.sendBacklog(requests, kafka: kafka)
        let (elapsed, peak) = try await StageProcess.drain(
            executable: screening, prefix: topics.prefix, group: topics.consumerGroup("screening"), topics: [topics.familiesRescreen],
            partitions: 8, events: events, environment: ["DATABASE_URL": try Benchmark.databaseURL(searchPath: schema), "RULESET": "phase1-2012"], kafka: kafka,
            settled: { try await pool.withConnection { try RescreenTable.progress(of: requestID, on: $0)?.isFinished } == true })
        let progress = try await pool.withConnection { try RescreenTable.progress(of: requestID, on: $0) }
        guard progress?.changed == familyIDs.count else { throw ValidationError("rescreen changed \(progress?.changed ?? 0) of \(familyIDs.count)") }
        Benchmark.report("rescreen-stage-families", count: familyIDs.count, elapsed: elapsed)
        print(String(format: "rescreen-stage-peak-rss-mib %.0f", peak))
    }
}

/// `turnaround what-if` as the command does it: every family screening
/// holds read in slices and decided under two rulesets, nothing recorded.
struct WhatIf: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "what-if", abstract: "Families/s compared under phase 1 and phase 2, read from Postgres.")
    @Option var families = 20_000
    @Option(help: "Connections reading and deciding side by side (the command's default: 2).") var lanes = 2

    func run() async throws {
        let pool = try await Benchmark.migratedPool(schema: "bench_what_if")
        defer { pool.close() }
        _ = try await RulesetChangeFamilies.populate(families, on: pool)
        let comparison = RulesetComparison(
            proposed: try Ruleset.bundled("phase2-2015"), current: try Ruleset.bundled("phase1-2012"), asOf: CalendarDate(iso: "2013-09-01")!)
        let clock = ContinuousClock()
        let start = clock.now
        let (tally, _) = try await comparison.compareEveryFamily(on: pool, lanes: lanes)
        Benchmark.report("what-if-families", count: tally.families, elapsed: clock.now - start)
    }
}
