import ArgumentParser
import Rules
import Vocabulary

struct RulesEligibility: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Eligibility decisions per second on one core: families of 5 with 3 terms of attendance, 2 benefit spells and 3 offences.")
    @Option var decisions = 1_000_000

    func run() async throws {
        let ruleset = try Ruleset.bundled("phase1-2012")
        let asOf = CalendarDate(iso: "2026-09-01")!
        let terms = [("2025-AU", "2025-09-03", "2025-12-19"), ("2026-SP", "2026-01-05", "2026-03-27"), ("2026-SU", "2026-04-13", "2026-07-22")]
            .map { SchoolTerm(id: $0.0, start: CalendarDate(iso: $0.1)!, end: CalendarDate(iso: $0.2)!) }
        // A thousand distinct families, so the measurement is not of one cached case.
        let cases = (0..<1000).map { number -> (Family, Evidence) in
            let family = Family(
                id: "F-\(number)",
                members: [
                    FamilyMember(id: "A1", dateOfBirth: CalendarDate(iso: "1985-05-01")!),
                    FamilyMember(id: "A2", dateOfBirth: CalendarDate(iso: "1988-11-20")!),
                    FamilyMember(id: "C1", dateOfBirth: CalendarDate(iso: "2010-03-10")!),
                    FamilyMember(id: "C2", dateOfBirth: CalendarDate(iso: "2013-06-01")!),
                    FamilyMember(id: "C3", dateOfBirth: CalendarDate(iso: "2016-01-15")!),
                ])
            var records = terms.map { term in
                EvidenceRecord(
                    id: "ATT-\(term.id)", personID: "C2",
                    fact: .attendance(term: term, possibleSessions: 330, unauthorisedAbsences: 30 + number % 40, authorisedAbsences: 6))
            }
            records += [
                EvidenceRecord(id: "BEN-1", personID: "A1", fact: .benefitSpell(benefit: "JSA", from: CalendarDate(iso: "2024-02-01")!, to: nil)),
                EvidenceRecord(id: "BEN-2", personID: "A2", fact: .benefitSpell(benefit: "ESA", from: CalendarDate(iso: "2023-01-01")!, to: CalendarDate(iso: "2025-01-01")!)),
            ]
            records += (0..<3).map { index in
                EvidenceRecord(id: "OFF-\(index)", personID: "C1", fact: .offence(date: asOf.adding(days: -(40 * index + number % 300)), proven: true))
            }
            return (family, Evidence(records: records, terms: terms))
        }
        var eligible = 0
        let elapsed = ContinuousClock().measure {
            for index in 0..<decisions {
                let (family, evidence) = cases[index % cases.count]
                if RulesEngine.eligibility(family: family, evidence: evidence, asOf: asOf, ruleset: ruleset).isEligible { eligible += 1 }
            }
        }
        Benchmark.report("rules-eligibility", count: decisions, elapsed: elapsed)
        if eligible == 0 { print("note: no family was eligible") }
    }
}
