import ArgumentParser
import Contracts
import Foundation
import Kafka
import Postgres
import Rules
import Store
import Vocabulary

/// The screening stage as operators run it: a backlog of families, each one
/// acceptance and its eight evidence records at once (as intake sends them
/// when a referral releases held evidence), drained by one
/// `turnaround-screening` process.
struct ScreeningStage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events/s through one turnaround-screening process: an acceptance and 8 evidence records per family.")
    @Option var families = 10_000
    @Option(help: "The turnaround-screening executable.") var screening: String

    func run() async throws {
        let kafka = try KafkaConfiguration.fromEnvironment()
        let pool = try await Benchmark.migratedPool()
        defer { pool.close() }

        let topics = Topics(prefix: "bench.stage.\(UUID().uuidString.prefix(8)).")
        try await Benchmark.createTopics(topics, kafka: kafka)
        let backlog = (0..<families).flatMap { Self.messages(family: $0, topics: topics) }.map { (topic: $0.0, message: $0.1) }
        let runFamilies = backlog.compactMap { ($0.message as? ReferralAccepted)?.familyID }
        let events = try await Benchmark.sendBacklog(backlog, kafka: kafka)

        let (elapsed, peak) = try await StageProcess.drain(
            executable: screening, prefix: topics.prefix, group: topics.consumerGroup("screening"),
            topics: [topics.referralsAccepted, topics.evidenceRecorded], partitions: 8, events: events,
            // A second's settle window, not the default 15 s: the measure is how
            // fast screening applies and decides, not how long it waits.
            environment: ["AS_OF_DATE": "2013-09-01", "SCREENING_SETTLE_MS": "1000"], kafka: kafka,
            settled: {
                // This run's families: the schema is shared with earlier runs.
                try await pool.withConnection {
                    try $0.query("SELECT count(*) FROM screening_pending WHERE family_id = ANY(\(runFamilies)::uuid[])").decode(Int.self)[0]
                } == 0
            })
        Benchmark.report("screening-stage-events", count: events, elapsed: elapsed)
        print(String(format: "screening-stage-peak-rss-mib %.0f", peak))
    }

    /// A family's acceptance and its evidence: an adult on JSA, two children
    /// with three terms' attendance each, and (every other family) an offence
    /// by the elder child, so half the families meet all three criteria.
    static func messages(family number: Int, topics: Topics) -> [(String, any Contract)] {
        let familyID = UUID()
        let members = [
            FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1980-02-14")!),
            FamilyMember(id: "P2", dateOfBirth: CalendarDate(iso: "1998-06-01")!),
            FamilyMember(id: "P3", dateOfBirth: CalendarDate(iso: "2003-09-10")!),
        ]
        let now = Date()
        var messages: [(String, any Contract)] = [
            (topics.referralsAccepted,
             ReferralAccepted(
                familyID: familyID, agency: "police", referralID: "R-\(number)", acceptedAt: now, members: members,
                isNewFamily: true, reasons: ["youth offending"]))
        ]
        func evidence(_ id: String, _ person: String, _ fact: EvidenceFact) -> (String, any Contract) {
            (topics.evidenceRecorded, EvidenceRecorded(familyID: familyID, evidenceID: "bench/\(familyID)-\(id)", personID: person, fact: fact, recordedAt: now))
        }
        messages.append(evidence("benefit", "P1", .benefitSpell(benefit: "JSA", from: CalendarDate(iso: "2011-01-04")!, to: nil)))
        messages.append(
            evidence("offence", "P2", .offence(date: CalendarDate(iso: number % 2 == 0 ? "2013-03-10" : "2011-03-10")!, proven: true)))
        let terms = [
            SchoolTerm(id: "2012-AU", start: CalendarDate(iso: "2012-09-03")!, end: CalendarDate(iso: "2012-12-21")!),
            SchoolTerm(id: "2013-SP", start: CalendarDate(iso: "2013-01-07")!, end: CalendarDate(iso: "2013-03-28")!),
            SchoolTerm(id: "2013-SU", start: CalendarDate(iso: "2013-04-15")!, end: CalendarDate(iso: "2013-07-24")!),
        ]
        for child in ["P2", "P3"] {
            for term in terms {
                messages.append(
                    evidence(
                        "\(child)-\(term.id)", child,
                        .attendance(term: term, possibleSessions: 120, unauthorisedAbsences: 24, authorisedAbsences: 2)))
            }
        }
        return messages
    }
}
