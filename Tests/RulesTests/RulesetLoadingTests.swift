import Foundation
import Rules
import Testing

@Suite struct RulesetLoadingTests {
    static let phase1File = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Shared/Rules/Rulesets/phase1-2012.json")

    @Test(arguments: Ruleset.bundledNames)
    func shippedRulesetLoads(name: String) throws {
        let ruleset = try Ruleset.bundled(name)
        #expect(ruleset.id == name)
        #expect(ruleset.contentHash.count == 64)
        let versions = ["phase1-2012": "1.0.0", "phase2-2015": "1.2.0", "supporting-families-2022": "1.2.0"]
        #expect(ruleset.reference.hasPrefix("\(name)@\(try #require(versions[name]))#"))
        #expect(!ruleset.criteria.isEmpty && !ruleset.results.isEmpty && !ruleset.payments.years.isEmpty)
    }

    @Test func contentHashChangesWithTheFile() throws {
        let text = try String(contentsOf: Self.phase1File, encoding: .utf8)
        let original = try Ruleset.decode(Array(text.utf8), file: "a.json")
        let edited = try Ruleset.decode(Array(text.replacingOccurrences(of: "\"thresholdPercent\": 15", with: "\"thresholdPercent\": 14").utf8), file: "b.json")
        #expect(original.contentHash != edited.contentHash)
    }

    @Test(arguments: [
        (#""lookbackMonths": 12 },"#, #" },"#, "criteria[0].anyOf[0].lookbackMonths", "is missing"),
        (#""thresholdPercent": 15"#, #""thresholdPercent": -15"#, "criteria[1].anyOf[3].thresholdPercent", "must be a percentage from 0 to 100"),
        (#""fixedTermAtLeast": 3"#, #""fixedTermAtLeast": -3"#, "criteria[1].anyOf[0].fixedTermAtLeast", "must not be negative"),
        (#"{ "criterion": "local" }"#, #"{ "criterion": "locality" }"#, "eligibility", "refers to unknown criterion 'locality'"),
        (#""kind": "notOnRoll""#, #""kind": "notOnTheRoll""#, "criteria[1].anyOf[2].kind", "unknown kind 'notOnTheRoll'"),
        (#""attachmentFee": 3200"#, #""attachmentFee": "lots""#, "payments.years[0].attachmentFee", "must be a number"),
        (#""A": 700"#, #""D": 700"#, "payments.years[0].results", "refers to unknown result 'D'"),
    ])
    func brokenRulesetIsRejectedNamingFileAndField(original: String, replacement: String, field: String, problem: String) throws {
        let text = try String(contentsOf: Self.phase1File, encoding: .utf8)
        let broken = text.replacingOccurrences(of: original, with: replacement)
        #expect(broken != text)
        #expect {
            try Ruleset.decode(Array(broken.utf8), file: "leeds-2012.json")
        } throws: { error in
            guard let error = error as? RulesetError else { return false }
            return error.file == "leeds-2012.json" && error.field == field && error.problem.contains(problem)
                && error.description.hasPrefix("leeds-2012.json: \(field): ")
        }
    }

    @Test func textThatIsNotJSONIsRejectedByFile() {
        #expect {
            try Ruleset.decode(Array("{ not json".utf8), file: "typo.json")
        } throws: { ($0 as? RulesetError)?.description == "typo.json: is not valid JSON" }
    }
}
