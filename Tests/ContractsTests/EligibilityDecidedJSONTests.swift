import Contracts
import Foundation
import Testing
import Vocabulary

/// Decisions are written by hand, for speed: byte for byte as ContractJSON
/// writes them, whatever their text holds.
@Suite struct EligibilityDecidedJSONTests {
    /// Every ASCII character, the escaped ones among them, and some beyond.
    static let awkward = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self) + " é € 😀 \u{2028} \u{2029} </script>"

    static func decided(revision: Int?, text: String) -> EligibilityDecided {
        let decision = EligibilityDecided.Decision(
            familyID: "3a38339f-cfbf-4c1a-a309-0888e132719a", decidedOn: CalendarDate(iso: "2013-09-01")!, rulesetID: "local/phase1-2012",
            rulesetVersion: text, rulesetHash: "9c1f0e", isEligible: true,
            criteria: [
                EligibilityDecided.Criterion(
                    id: "crime", name: text, isMet: true,
                    findings: [
                        EligibilityDecided.Finding(isMet: true, personID: "P2", evidenceIDs: ["police/OFF-1001", text], text: text),
                        EligibilityDecided.Finding(isMet: false, personID: nil, evidenceIDs: [], text: "No exclusions"),
                    ]),
                EligibilityDecided.Criterion(id: "education", name: "Education", isMet: false, findings: []),
            ],
            summary: text)
        return EligibilityDecided(
            familyID: UUID(), decisionID: UUID(), revision: revision, decision: decision,
            members: [
                FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1980-02-14")!), FamilyMember(id: text, dateOfBirth: CalendarDate(iso: "1998-06-01")!),
            ])
    }

    /// The message as the generic path writes it: its fields, then the
    /// envelope's `schema` and `version`, which sort after every field.
    static func writtenByContractJSON(_ decided: EligibilityDecided) -> [UInt8] {
        let fields = ContractJSON.encode(decided)
        return Array((fields.dropLast() + #","schema":"eligibility.decided","version":1}"#).utf8)
    }

    @Test(arguments: [1, nil], ["Child P2: proven offence on 2013-03-10 (police/OFF-1001)", awkward])
    func aDecisionIsWrittenAsContractJSONWritesIt(revision: Int?, text: String) throws {
        let decided = Self.decided(revision: revision, text: text)
        #expect(decided.decision.encodedJSON() == Array(ContractJSON.encode(decided.decision).utf8))
        #expect(decided.encoded() == Self.writtenByContractJSON(decided))
        #expect(try EligibilityDecided.decode(decided.encoded()) == decided)
    }

    @Test func aDecisionWrittenAlreadyIsTheOneTheMessageCarries() {
        let decided = Self.decided(revision: 3, text: "No attendance recorded")
        #expect(decided.encoded(decisionJSON: decided.decision.encodedJSON()) == decided.encoded())
    }
}
