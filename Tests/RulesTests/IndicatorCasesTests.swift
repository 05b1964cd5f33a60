import Contracts
import Foundation
import Rules
import Testing
import Vocabulary

/// Each later ruleset against a table of small families in
/// `IndicatorCases/<ruleset>.json`, each testing one indicator at its
/// boundary: the criteria met, the outcome, and what the explanation says
/// met each criterion it cites (the record, or the measure).
@Suite struct IndicatorCasesTests {
    struct Table: Decodable {
        var ruleset: String
        var asOf: CalendarDate
        var terms: [SchoolTerm]
        var cases: [Case]
    }

    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var members: [FamilyMember]
        /// Each record's fact as agencies send it.
        var records: [Record]
        var met: [String]
        var eligible: Bool
        /// For a criterion, what its explanation must name: the record, or the measure.
        var cites: [String: String]?
        /// For a criterion, what no finding that met it may name (an indicator the case stays below).
        var citesNot: [String: String]?

        var testDescription: String { name }
    }

    struct Record: Decodable {
        var id: String
        var personID: String
        var fact: EvidenceFact
    }

    static func table(_ ruleset: String) throws -> Table {
        let url = try #require(Bundle.module.url(forResource: ruleset, withExtension: "json", subdirectory: "IndicatorCases"))
        return try JSONDecoder().decode(Table.self, from: Data(contentsOf: url))
    }

    @Test(arguments: ["phase2-2015", "supporting-families-2022"])
    func eachIndicatorIsDecidedAtItsBoundaryAndNamedInTheExplanation(ruleset name: String) throws {
        let table = try Self.table(name)
        let ruleset = try Ruleset.bundled(table.ruleset)
        #expect(table.cases.count >= 6)
        for example in table.cases {
            let decision = RulesEngine.eligibility(
                family: Family(id: example.name, members: example.members), evidence: Evidence(
                    records: example.records.map { EvidenceRecord(id: $0.id, personID: $0.personID, fact: $0.fact) }, terms: table.terms),
                asOf: table.asOf, ruleset: ruleset)
            #expect(decision.metCriteria == example.met, "\(example.name): \(decision.summary)")
            #expect(decision.isEligible == example.eligible, "\(example.name): \(decision.summary)")
            for (criterion, cited) in example.cites ?? [:] {
                let findings = decision.criteria.first { $0.id == criterion }?.findings.filter(\.isMet) ?? []
                #expect(findings.contains { $0.text.contains(cited) }, "\(example.name): \(findings.map(\.text))")
            }
            for (criterion, uncited) in example.citesNot ?? [:] {
                let findings = decision.criteria.first { $0.id == criterion }?.findings.filter(\.isMet) ?? []
                #expect(!findings.contains { $0.text.contains(uncited) }, "\(example.name): \(findings.map(\.text))")
            }
        }
    }

    /// Every criterion of the later rulesets says where it comes from.
    @Test(arguments: ["phase2-2015", "supporting-families-2022"])
    func everyCriterionNamesItsSource(ruleset name: String) throws {
        for criterion in try Ruleset.bundled(name).criteria {
            #expect(criterion.source?.isEmpty == false, "\(criterion.id) has no source")
        }
    }

    /// Several tests over school terms with no term calendar say so once, not once a test.
    @Test func aCriterionSaysOnceThatThereIsNoCompleteTerm() throws {
        let decision = RulesEngine.eligibility(
            family: Family(id: "F", members: [FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "2015-01-20")!)]),
            evidence: Evidence(records: [], terms: []), asOf: CalendarDate(iso: "2026-09-01")!,
            ruleset: try Ruleset.bundled("supporting-families-2022"))
        let education = try #require(decision.criteria.first { $0.id == "good-education" })
        #expect(education.findings.map(\.text).filter { $0.hasPrefix("No complete school term") }.count == 1, "\(education.findings.map(\.text))")
    }
}
