import ArgumentParser
import Contracts
import Foundation
import Kafka
import Rules
import StageLogic
import Vocabulary

/// The claims stage as operators run it: a backlog of families, each its
/// decision, its attachment, its eight evidence records and its adult's new
/// job, drained by one `turnaround-claims` process.
struct ClaimsStage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events/s through one turnaround-claims process: a decision, an attachment and 9 evidence records per family.")
    @Option var families = 10_000
    @Option(help: "The turnaround-claims executable.") var claims: String

    func run() async throws {
        let kafka = try KafkaConfiguration.fromEnvironment()
        let pool = try await Benchmark.migratedPool()
        defer { pool.close() }

        let topics = Topics(prefix: "bench.claims.\(UUID().uuidString.prefix(8)).")
        try await Benchmark.createTopics(topics, kafka: kafka)
        let ruleset = try Ruleset.bundled("phase1-2012")
        let events = try await Benchmark.sendBacklog(
            (0..<families).flatMap { Self.messages(family: $0, topics: topics, ruleset: ruleset) }.map { (topic: $0.0, message: $0.1) },
            kafka: kafka)

        let (elapsed, peak) = try await StageProcess.drain(
            executable: claims, prefix: topics.prefix, group: topics.consumerGroup("claims"),
            topics: [topics.eligibilityDecided, topics.familiesAttached, topics.evidenceRecorded], partitions: 8, events: events,
            environment: ["AS_OF_DATE": "2014-09-30"], kafka: kafka)
        Benchmark.report("claims-stage-events", count: events, elapsed: elapsed)
        print(String(format: "claims-stage-peak-rss-mib %.0f", peak))
    }

    /// A family of the screening measure, decided as screening would, attached
    /// on 16 September 2013, and its adult in work from October.
    static func messages(family number: Int, topics: Topics, ruleset: Ruleset) -> [(String, any Contract)] {
        let screened = ScreeningStage.messages(family: number, topics: topics)
        guard let accepted = screened.first?.1 as? ReferralAccepted else { return [] }
        var evidence = screened.compactMap { $0.1 as? EvidenceRecorded }
        evidence.append(
            EvidenceRecorded(
                familyID: accepted.familyID, evidenceID: "bench/\(accepted.familyID)-job", personID: "P1",
                fact: .employmentSpell(from: CalendarDate(iso: "2013-10-02")!, to: nil), recordedAt: Date()))
        let decision = RulesEngine.eligibility(
            family: Family(id: accepted.familyID.uuidString.lowercased(), members: accepted.members),
            evidence: Evidence(
                records: evidence.map { EvidenceRecord(id: $0.evidenceID, personID: $0.personID, fact: $0.fact) },
                terms: Array(Set(evidence.compactMap(\.fact.term))).sorted { $0.start < $1.start }),
            asOf: CalendarDate(iso: "2013-09-01")!, ruleset: ruleset)
        let decided = EligibilityDecided(
            familyID: accepted.familyID, decisionID: UUID(), revision: 1, decision: EligibilityDecided.Decision(decision), members: accepted.members)
        let attached = FamilyAttached(
            familyID: accepted.familyID, attachedOn: CalendarDate(iso: "2013-09-16")!, keyworker: "kw-1", recordedBy: "bench",
            recordedAt: Date())
        return [(topics.eligibilityDecided, decided), (topics.familiesAttached, attached)] + evidence.map { (topics.evidenceRecorded, $0) }
    }
}
