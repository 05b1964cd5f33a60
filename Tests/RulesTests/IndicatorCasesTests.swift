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
        var records: [EvidenceRecord]
        var met: [String]
        var eligible: Bool
        /// For a criterion, what its explanation must name: the record, or the measure.
        var cites: [String: String]?

        var testDescription: String { name }
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
                family: Family(id: example.name, members: example.members), evidence: Evidence(records: example.records, terms: table.terms),
                asOf: table.asOf, ruleset: ruleset)
            #expect(decision.metCriteria == example.met, "\(example.name): \(decision.summary)")
            #expect(decision.isEligible == example.eligible, "\(example.name): \(decision.summary)")
            for (criterion, cited) in example.cites ?? [:] {
                let findings = decision.criteria.first { $0.id == criterion }?.findings.filter(\.isMet) ?? []
                #expect(findings.contains { $0.text.contains(cited) }, "\(example.name): \(findings.map(\.text))")
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
}
