import ArgumentParser
import Contracts
import Foundation
import Kafka
import Postgres
import Rules
import Store
import Vocabulary

/// The intake stage as operators run it: a backlog of signed referrals (one
/// family of three a referral) and then their evidence (eight records a
/// family), drained by one `turnaround-intake` process.
struct IntakeStage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events/s through one turnaround-intake process: a referral and 8 evidence records per family.")
    @Option var families = 5_000
    @Option(help: "The turnaround-intake executable.") var intake: String

    func run() async throws {
        let kafka = try KafkaConfiguration.fromEnvironment()
        let pool = try await Benchmark.migratedPool()
        defer { pool.close() }

        let run = UUID().uuidString.prefix(8).lowercased()
        let topics = Topics(prefix: "bench.intake.\(run).")
        let agency = "bench-\(run)"
        let key = AgencySignature.newKey()
        try await pool.withConnection { try AgencyTable.register(id: agency, name: "bench", keyID: key.keyID, publicKey: key.publicKey, on: $0) }
        try await Benchmark.createTopics(topics, kafka: kafka)
        let referrals = (0..<families).map { (topic: topics.referralsSubmitted, message: Self.referral(family: $0, run: run, agency: agency) as any Contract) }
        let evidence = (0..<families).flatMap { number in
            Self.evidence(family: number, run: run, agency: agency).map { (topic: topics.evidenceSubmitted, message: $0 as any Contract) }
        }
        let events = try await Benchmark.sendBacklog(referrals + evidence, signer: .ed25519(keyID: key.keyID, privateKey: key.privateKey), kafka: kafka)

        let (elapsed, peak) = try await StageProcess.drain(
            executable: intake, prefix: topics.prefix, group: topics.consumerGroup("intake"),
            topics: [topics.referralsSubmitted, topics.evidenceSubmitted], partitions: 8, events: events, kafka: kafka)
        Benchmark.report("intake-stage-events", count: events, elapsed: elapsed)
        print(String(format: "intake-stage-peak-rss-mib %.0f", peak))
    }

    /// A family's people, born as a local authority's families are: the
    /// parents over some sixty years, the children of school age over four
    /// (so the people intake compares a new person with, those born the same
    /// day, are a handful, as in life).
    static func people(family number: Int, run: String) -> [ReferredPerson] {
        // Names fold to their letters: the family's number is spelt in
        // letters, each three times, so two families' names are three edits
        // apart or more and never a near match for the review queue.
        var letters = ""
        var rest = number
        repeat {
            letters += String(repeating: Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(rest % 26))), count: 3)
            rest /= 26
        } while rest > 0
        let surname = "Bench" + run.filter(\.isLetter) + letters
        let born = { (first: String, spread: Int) in CalendarDate(iso: first)!.adding(days: number % spread) }
        return [
            ReferredPerson(ref: "parent", givenName: "Alex", familyName: surname, dateOfBirth: born("1940-01-01", 20_000)),
            ReferredPerson(ref: "elder", givenName: "Sam", familyName: surname, dateOfBirth: born("1997-09-01", 730)),
            ReferredPerson(ref: "younger", givenName: "Jo", familyName: surname, dateOfBirth: born("2002-09-01", 730)),
        ]
    }

    static func referral(family number: Int, run: String, agency: String) -> ReferralSubmitted {
        ReferralSubmitted(
            agency: agency, submittedAt: Date(),
            referral: Referral(
                id: "R-\(number)", address: Address(lines: ["\(number) Bench Street", "Leeds"], postcode: "LS1 1AA"),
                members: people(family: number, run: run), reasons: ["youth offending"]))
    }

    /// A benefit spell for the parent, an offence for the elder child and
    /// three terms' attendance for each child.
    static func evidence(family number: Int, run: String, agency: String) -> [EvidenceSubmitted] {
        let people = people(family: number, run: run)
        func record(_ id: String, _ person: ReferredPerson, _ fact: EvidenceFact) -> EvidenceSubmitted {
            EvidenceSubmitted(
                agency: agency, submittedAt: Date(),
                record: EvidenceReport(
                    id: "\(number)-\(id)",
                    subject: PersonIdentity(givenName: person.givenName, familyName: person.familyName, dateOfBirth: person.dateOfBirth),
                    fact: fact))
        }
        var records = [
            record("benefit", people[0], .benefitSpell(benefit: "JSA", from: CalendarDate(iso: "2011-01-04")!, to: nil)),
            record("offence", people[1], .offence(date: CalendarDate(iso: "2013-03-10")!, proven: true)),
        ]
        let terms = [
            SchoolTerm(id: "2012-AU", start: CalendarDate(iso: "2012-09-03")!, end: CalendarDate(iso: "2012-12-21")!),
            SchoolTerm(id: "2013-SP", start: CalendarDate(iso: "2013-01-07")!, end: CalendarDate(iso: "2013-03-28")!),
            SchoolTerm(id: "2013-SU", start: CalendarDate(iso: "2013-04-15")!, end: CalendarDate(iso: "2013-07-24")!),
        ]
        for child in people.dropFirst() {
            for term in terms {
                records.append(
                    record("\(child.ref)-\(term.id)", child, .attendance(term: term, possibleSessions: 120, unauthorisedAbsences: 24, authorisedAbsences: 2)))
            }
        }
        return records
    }
}
