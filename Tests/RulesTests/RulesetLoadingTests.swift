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
        let versions = ["phase1-2012": "1.0.0", "phase2-2015": "1.2.0", "supporting-families-2022": "1.3.0"]
        #expect(ruleset.reference.hasPrefix("\(name)@\(try #require(versions[name]))#"))
        #expect(!ruleset.criteria.isEmpty && !ruleset.results.isEmpty && !ruleset.payments.years.isEmpty)
    }

    @Test func contentHashChangesWithTheFile() throws {
        let text = try String(contentsOf: Self.phase1File, encoding: .utf8)
        let original = try Ruleset.decode(Array(text.utf8), file: "a.json")
        let edited = try Ruleset.decode(Array(text.replacingOccurrences(of: "\"thresholdPercent\": 15", with: "\"thresholdPercent\": 14").utf8), file: "b.json")
        #expect(original.contentHash != edited.contentHash)
    }

    /// What screening records, so a ruleset no longer shipped can be read: the file's text, whose hash it is.
    @Test func aRulesetKeepsTheTextItWasReadFrom() throws {
        let text = try String(contentsOf: Self.phase1File, encoding: .utf8)
        let ruleset = try Ruleset.decode(Array(text.utf8), file: "a.json")
        #expect(ruleset.content == text)
        #expect(try Ruleset.decode(Array(ruleset.content.utf8), file: "again.json").contentHash == ruleset.contentHash)
    }

    @Test(arguments: [
        (#""lookbackMonths": 12 },"#, #" },"#, "criteria[0].anyOf[0].lookbackMonths", "is missing"),
        (#""thresholdPercent": 15"#, #""thresholdPercent": -15"#, "criteria[1].anyOf[3].thresholdPercent", "must be a percentage from 0 to 100"),
        (#""fixedTermAtLeast": 3"#, #""fixedTermAtLeast": -3"#, "criteria[1].anyOf[0].fixedTermAtLeast", "must not be negative"),
        (
            #"{ "criterion": "local" }"#, #"{ "criterion": "locality" }"#, "eligibility.any[1].all[1].criterion",
            "refers to unknown criterion 'locality'"
        ),
        (#""kind": "notOnRoll""#, #""kind": "notOnTheRoll""#, "criteria[1].anyOf[2].kind", "unknown kind 'notOnTheRoll'"),
        (#""attachmentFee": 3200"#, #""attachmentFee": "lots""#, "payments.years[0].attachmentFee", "must be a number"),
        (#""attachmentFee": 3200"#, #""attachmentFee": 1e300"#, "payments.years[0].attachmentFee", "is too large"),
        (#""A": 700"#, #""D": 700"#, "payments.years[0].results", "refers to unknown result 'D'"),
        (#""financialYear": "2013/14""#, #""financialYear": "2012/13""#, "payments.years[1].financialYear", "'2012/13' is used twice"),
    ])
    func brokenRulesetIsRejectedNamingFileAndField(original: String, replacement: String, field: String, problem: String) throws {
        let text = try String(contentsOf: Self.phase1File, encoding: .utf8)
        let broken = text.replacingOccurrences(of: original, with: replacement)
        #expect(broken != text)
        #expect {
            try Ruleset.decode(Array(broken.utf8), file: "leeds-2012.json")
        } throws: { error in
            guard let problems = (error as? InvalidRuleset)?.problems, problems.count == 1, let error = problems.first else { return false }
            return error.file == "leeds-2012.json" && error.field == field && error.problem.contains(problem)
                && error.description.hasPrefix("leeds-2012.json: \(field): ")
        }
    }

    @Test func textThatIsNotJSONIsRejectedByFile() {
        #expect {
            try Ruleset.decode(Array("{ not json".utf8), file: "typo.json")
        } throws: { ($0 as? InvalidRuleset)?.description == "typo.json: is not valid JSON" }
    }

    /// `turnaround rulesets check` prints these: a file's every mistake at
    /// once, rather than one a run.
    @Test func everyProblemOfAFileWithSeveralMistakesIsListedByField() throws {
        let leeds = """
            {
              "id": "leeds-2016", "version": "2.0.0", "name": "Leeds Outcome Plan", "adultAge": 18,
              "criteria": [
                { "id": "crime", "name": "Crime", "anyOf": [{ "kind": "provenOffence", "lookbackMonths": 12 }] },
                { "id": "crime", "name": "Crime again", "anyOf": [] },
                {
                  "id": "school", "name": "School",
                  "anyOf": [
                    { "kind": "provenOffence", "lookbackMonths": -12 },
                    { "kind": "absence", "measure": "overall", "thresholdPercent": 110, "terms": 3 },
                    { "kind": "indicator", "indicators": [], "lookbackMonths": 12 },
                    { "kind": "neet", "ageFrom": 25, "ageUnder": 16 }
                  ]
                }
              ],
              "eligibility": { "atLeast": 3, "of": [{ "criterion": "crime" }, { "criterion": "work" }] },
              "results": [{ "id": "progress", "name": "Progress", "kind": "sustainedProgress", "months": 6, "ignoredCriteria": ["dependants"] }],
              "payments": {
                "exclusiveResults": ["employment"],
                "years": [
                  { "financialYear": "2016/17", "attachmentFee": 1000, "resultsPayment": 800, "results": { "progress": 800, "employment": 800 } },
                  { "financialYear": "2016-17", "attachmentFee": 1000, "resultsPayment": 800, "results": { "progress": 800 } }
                ]
              }
            }
            """
        #expect {
            try Ruleset.decode(Array(leeds.utf8), file: "leeds.json")
        } throws: { error in
            let problems = (error as? InvalidRuleset)?.problems.map(\.description)
            #expect(
                problems == [
                    "leeds.json: criteria[1].id: 'crime' is used twice",
                    "leeds.json: criteria[1].anyOf: needs at least one test",
                    "leeds.json: criteria[2].anyOf[0].lookbackMonths: must not be negative",
                    "leeds.json: criteria[2].anyOf[1].thresholdPercent: must be a percentage from 0 to 100",
                    "leeds.json: criteria[2].anyOf[2].indicators: needs at least one",
                    "leeds.json: criteria[2].anyOf[3].ageUnder: must be more than ageFrom (25)",
                    "leeds.json: eligibility.atLeast: is more than the 2 rules it counts, so it is never met",
                    "leeds.json: eligibility.of[1].criterion: refers to unknown criterion 'work'",
                    "leeds.json: results[0].ignoredCriteria[0]: refers to unknown criterion 'dependants'",
                    "leeds.json: payments.exclusiveResults[0]: refers to unknown result 'employment'",
                    "leeds.json: payments.years[0].results: refers to unknown result 'employment'",
                    "leeds.json: payments.years[1].financialYear: must be a financial year (YYYY/YY, such as 2014/15)",
                ])
            return problems != nil
        }
    }
}
