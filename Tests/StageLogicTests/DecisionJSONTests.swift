import Contracts
import Foundation
import Rules
import StageLogic
import Testing
import Vocabulary

/// Screening writes each decision as JSON once, for its own table and for
/// the message: the bytes must be those the rules engine's decision was
/// stored as, so `explain` and the evidence packs read it back unchanged.
@Suite struct DecisionJSONTests {
    @Test(arguments: ["2013-09-01", "2014-03-31"])
    func theMessagesDecisionIsWrittenAsTheEnginesDecisionWasStored(day: String) throws {
        let members = [
            FamilyMember(id: "A1", dateOfBirth: CalendarDate(iso: "1980-02-14")!), FamilyMember(id: "C1", dateOfBirth: CalendarDate(iso: "1998-06-01")!),
        ]
        let terms = [
            SchoolTerm(id: "2012-AU", start: CalendarDate(iso: "2012-09-03")!, end: CalendarDate(iso: "2012-12-21")!),
            SchoolTerm(id: "2013-SP", start: CalendarDate(iso: "2013-01-07")!, end: CalendarDate(iso: "2013-03-28")!),
        ]
        let records = [
            EvidenceRecord(id: "dwp/B-1", personID: "A1", fact: .benefitSpell(benefit: "JSA", from: CalendarDate(iso: "2011-01-04")!, to: nil)),
            EvidenceRecord(id: "police/OFF-1", personID: "C1", fact: .offence(date: CalendarDate(iso: "2013-03-10")!, proven: true)),
        ] + terms.map {
            EvidenceRecord(
                id: "school/\($0.id)", personID: "C1",
                fact: .attendance(term: $0, possibleSessions: 120, unauthorisedAbsences: 24, authorisedAbsences: 2))
        }
        for ruleset in ["phase1-2012", "phase2-2015", "supporting-families-2022"] {
            let decision = RulesEngine.eligibility(
                family: Family(id: UUID().uuidString.lowercased(), members: members), evidence: Evidence(records: records, terms: terms),
                asOf: try #require(CalendarDate(iso: day)), ruleset: try Ruleset.bundled(ruleset))
            let written = EligibilityDecided.Decision(decision).encodedJSON()
            #expect(written == Array(ContractJSON.encode(decision).utf8))
            #expect(try JSONDecoder().decode(EligibilityDecision.self, from: Data(written)) == decision)
        }
    }
}
