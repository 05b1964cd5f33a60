import Foundation
import Rules
import Vocabulary

func date(_ text: String) -> CalendarDate {
    CalendarDate(iso: text)!
}

/// A household of two adults and three children, with a term calendar, and
/// helpers that turn short descriptions into evidence records.
enum Fixture {
    static let family = Family(
        id: "F-1",
        members: [
            FamilyMember(id: "A1", dateOfBirth: date("1985-05-01")),
            FamilyMember(id: "A2", dateOfBirth: date("1987-02-11")),
            FamilyMember(id: "C1", dateOfBirth: date("2011-03-10")),
            FamilyMember(id: "C2", dateOfBirth: date("2014-06-01")),
            FamilyMember(id: "C3", dateOfBirth: date("2008-03-01")),
        ])

    static let terms = [
        SchoolTerm(id: "2024-AU", start: date("2024-09-04"), end: date("2024-12-20")),
        SchoolTerm(id: "2025-SP", start: date("2025-01-06"), end: date("2025-04-04")),
        SchoolTerm(id: "2025-SU", start: date("2025-04-22"), end: date("2025-07-22")),
        SchoolTerm(id: "2025-AU", start: date("2025-09-03"), end: date("2025-12-19")),
        SchoolTerm(id: "2026-SP", start: date("2026-01-05"), end: date("2026-03-27")),
        SchoolTerm(id: "2026-SU", start: date("2026-04-13"), end: date("2026-07-22")),
    ]

    /// The date decisions are made on unless a test says otherwise.
    static let decisionDate = date("2026-09-01")

    static func evidence(_ records: [EvidenceRecord]) -> Evidence {
        Evidence(records: records, terms: terms)
    }

    static func record(_ id: String, _ person: String, _ fact: EvidenceFact) -> EvidenceRecord {
        EvidenceRecord(id: id, personID: person, fact: fact)
    }

    /// Attendance for one child over the three terms before the decision date,
    /// `unauthorised` absences out of 1,000 possible sessions in all.
    static func attendance(_ child: String, unauthorised: Int, terms: [String] = ["2025-AU", "2026-SP", "2026-SU"]) -> [EvidenceRecord] {
        let possible = [340, 330, 330]
        let absences = [unauthorised / 3, unauthorised / 3, unauthorised - 2 * (unauthorised / 3)]
        return terms.indices.map { index in
            record(
                "ATT-\(child)-\(terms[index])", child,
                .attendance(
                    term: Self.terms.first { $0.id == terms[index] }!, possibleSessions: possible[index], unauthorisedAbsences: absences[index],
                    authorisedAbsences: 5))
        }
    }

    static func onJSA(_ adult: String, from: String = "2024-01-01", to: String? = nil) -> EvidenceRecord {
        record("BEN-\(adult)", adult, .benefitSpell(benefit: "JSA", from: date(from), to: to.map(date)))
    }

    static func phase1() throws -> Ruleset {
        try Ruleset.bundled("phase1-2012")
    }

    static func decide(_ records: [EvidenceRecord], asOf: CalendarDate = decisionDate) throws -> EligibilityDecision {
        RulesEngine.eligibility(family: family, evidence: evidence(records), asOf: asOf, ruleset: try phase1())
    }
}

extension EligibilityDecision {
    func criterion(_ id: String) -> CriterionOutcome {
        criteria.first { $0.id == id }!
    }
}
