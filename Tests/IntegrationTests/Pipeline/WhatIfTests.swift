import Foundation
import IntegrationSupport
import Postgres
import Rules
import StageLogic
import Testing
import Vocabulary

/// `turnaround what-if` as an authority designing its local filter uses it:
/// every family decided under the filter it considers and the current rules,
/// nothing recorded, and exactly the families the filter would move listed.
@Suite(.startsProcesses, .takesAProcessSlot) struct WhatIfTests {
    /// Phase 1 with any two of its three national criteria enough, as an
    /// authority loosening its filter might write it.
    static func twoOfThree(in pipeline: PipelineHarness) throws -> String {
        let shipped = TestEnvironment.repositoryRoot.appendingPathComponent("Shared/Rules/Rulesets/phase1-2012.json")
        var ruleset = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: shipped)) as? [String: Any])
        ruleset["id"] = "leeds-2013"
        ruleset["version"] = "0.1.0"
        ruleset["eligibility"] = ["atLeast": 2, "of": [["criterion": "crime"], ["criterion": "education"], ["criterion": "work"]]]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: ruleset, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
        return try pipeline.file(named: "leeds-2013.json", holding: text)
    }

    @Test func aLoosenedFilterListsExactlyTheFamiliesItLetsInAndRecordsNothing() async throws {
        try await PipelineHarness.with { pipeline in
            let corpus = FamilyCorpus(count: 6)
            try await corpus.decidedUnderPhaseOne(in: pipeline)
            // The odd-numbered families meet two criteria (education and work): only they move.
            let notEligible = Set(try await pipeline.texts("SELECT family_id::text FROM eligibility_decision WHERE NOT is_eligible"))
            #expect(notEligible.count == 3)
            let filter = try Self.twoOfThree(in: pipeline)
            let recorded = "SELECT (SELECT count(*) FROM eligibility_decision) + (SELECT count(*) FROM outbox_event)"
            let before = try await pipeline.count(PostgresQuery(unsafeSQL: recorded))

            let json = try await pipeline.cli(["what-if", "--ruleset", filter, "--against", "phase1-2012", "--as-of", "2013-09-01", "--format", "json"])
            #expect(json.status == 0, "\(json.output)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
            #expect(report["families"] as? Int == 6)
            #expect(report["now_eligible"] as? Int == 3)
            #expect(report["no_longer_eligible"] as? Int == 0)
            #expect(report["criteria_changed"] as? Int == 0)
            let moved = try #require(report["differences"] as? [[String: Any]])
            #expect(Set(moved.compactMap { $0["family_id"] as? String }) == notEligible)
            for family in moved {
                let current = family["current"] as? [String: Any]
                let proposed = family["proposed"] as? [String: Any]
                #expect(current?["eligible"] as? Bool == false && proposed?["eligible"] as? Bool == true)
                #expect((proposed?["summary"] as? String)?.contains("at least 2 of") == true, "\(family)")
            }
            #expect(try await pipeline.count(PostgresQuery(unsafeSQL: recorded)) == before)

            let table = try await pipeline.cli(["what-if", "--ruleset", filter, "--against", "phase1-2012", "--as-of", "2013-09-01"])
            #expect(table.output.contains("6 families decided under leeds-2013@0.1.0"), "\(table.output)")
            #expect(table.output.contains("3 would become eligible, 0 would no longer be"), "\(table.output)")

            let page = pipeline.folder.appendingPathComponent("what-if.html")
            let html = try await pipeline.cli([
                "what-if", "--ruleset", filter, "--against", "phase1-2012", "--as-of", "2013-09-01", "--format", "html", "--output", page.path,
            ])
            #expect(html.status == 0, "\(html.output)")
            let loaded = try await HeadlessBrowser.load(page)
            #expect(loaded.console.isEmpty, "\(loaded.console)")
            #expect(loaded.dom.contains("<span id=\"now-eligible\" data-families=\"3\">3</span>"))
            for family in notEligible { #expect(loaded.dom.contains("id=\"family-\(family)\""), "\(family)") }
            #expect(loaded.dom.components(separatedBy: "class=\"family\"").count - 1 == 3)
        }
    }

    @Test func lanesDecidingSlicesSideBySideFindWhatOneLaneFindsInFamilyOrder() async throws {
        try await PipelineHarness.with { pipeline in
            try await FamilyCorpus(count: 6).decidedUnderPhaseOne(in: pipeline)
            let comparison = RulesetComparison(
                proposed: try ProgrammeOptions.ruleset(named: try Self.twoOfThree(in: pipeline)), current: try Ruleset.bundled("phase1-2012"),
                asOf: CalendarDate(iso: "2013-09-01")!)
            let oneLane = try await comparison.compareEveryFamily(on: pipeline.pool, lanes: 1, sliceSize: 6)
            // Slices of one family, taken in turn by three lanes.
            let threeLanes = try await comparison.compareEveryFamily(on: pipeline.pool, lanes: 3, sliceSize: 1)
            #expect(oneLane.tally.families == 6 && oneLane.tally.nowEligible == 3)
            #expect(threeLanes.tally == oneLane.tally)
            #expect(threeLanes.differences.map(\.familyID) == oneLane.differences.map(\.familyID))
            #expect(oneLane.differences.map(\.familyID) == oneLane.differences.map(\.familyID).sorted())
        }
    }
}
