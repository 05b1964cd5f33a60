import Foundation
import IntegrationSupport
import Testing

/// `turnaround rescreen` as a co-ordinator uses it after the authority
/// changes a threshold: screening decides again from what it holds, with two
/// replicas taking their shares, and records only the decisions that change.
@Suite(.startsProcesses, .takesAProcessSlot) struct RescreenTests {
    /// Phase 1 with persistent absence counted from 25% rather than 15%: the
    /// corpus's children, absent 20%, no longer meet the education criterion.
    static func stricterRuleset(in pipeline: PipelineHarness) throws -> String {
        let shipped = TestEnvironment.repositoryRoot.appendingPathComponent("Shared/Rules/Rulesets/phase1-2012.json")
        let text = try String(contentsOf: shipped, encoding: .utf8)
            .replacingOccurrences(of: #""version": "1.0.0""#, with: #""version": "1.0.1-absence-25""#)
            .replacingOccurrences(of: #""thresholdPercent": 15"#, with: #""thresholdPercent": 25"#)
        return try pipeline.file(named: "phase1-absence-25.json", holding: text)
    }

    @Test func oneFamilyThenAllUnderAChangedThresholdRecordOnlyTheDecisionsThatChangeOnceEach() async throws {
        try await PipelineHarness.with { pipeline in
            let corpus = FamilyCorpus(count: 6)
            try await corpus.decidedUnderPhaseOne(in: pipeline)
            let eligible = try await pipeline.texts("SELECT family_id::text FROM eligibility_decision WHERE is_eligible ORDER BY family_id")
            #expect(eligible.count == corpus.eligibleCount)
            let chosen = try #require(eligible.first)
            let stricter = try Self.stricterRuleset(in: pipeline)
            func revisions() async throws -> [String: Int] {
                let rows = try await pipeline.texts(
                    "SELECT family_id::text || ' ' || count(*) FROM eligibility_decision GROUP BY family_id ORDER BY family_id")
                return Dictionary(uniqueKeysWithValues: rows.map { row in
                    let parts = row.split(separator: " ")
                    return (String(parts[0]), Int(parts[1])!)
                })
            }
            let rescreen = ["rescreen", "--by", "coordinator.7", "--ruleset", stricter, "--as-of", "2013-09-01"]
            // A family may have been decided more than once on its way in (its
            // evidence came after a settle window on a loaded machine): count from here.
            let before = try await revisions()
            let changedOnce = before.mapValues { $0 + 1 }

            try await pipeline.withServices(
                screeningAsOf: "2013-09-01", claimsAsOf: "2013-09-01", replicas: ["screening": 2, "claims": 0], settings: ["RULESET": stricter]
            ) {
                let one = try await pipeline.cli(rescreen + ["--family", chosen])
                #expect(one.status == 0, "\(one.output)")
                #expect(one.output.contains("rescreened 1 of 1 families under phase1-2012@1.0.1-absence-25"), "\(one.output)")
                #expect(one.output.contains("1 decision(s) changed"), "\(one.output)")
                var counts = try await revisions()
                #expect(counts[chosen] == changedOnce[chosen])
                #expect(counts.filter { $0.key != chosen } == before.filter { $0.key != chosen }, "\(counts)")
                let latest = try await pipeline.texts(
                    """
                    SELECT is_eligible::text || ' ' || decided_by || ' ' || ruleset_version FROM eligibility_decision
                    WHERE family_id = \(UUID(uuidString: chosen)!) ORDER BY revision DESC LIMIT 1
                    """)
                #expect(latest == ["false coordinator.7 (turnaround rescreen) 1.0.1-absence-25"])

                let all = try await pipeline.cli(rescreen + ["--all"])
                #expect(all.status == 0, "\(all.output)")
                #expect(all.output.contains("rescreened 6 of 6 families"), "\(all.output)")
                #expect(all.output.contains("5 decision(s) changed"), "\(all.output)")
                counts = try await revisions()
                #expect(counts.count == 6 && counts == changedOnce, "\(counts)")
                #expect(
                    try await pipeline.count(
                        "SELECT count(*) FROM (SELECT DISTINCT ON (family_id) is_eligible FROM eligibility_decision ORDER BY family_id, revision DESC) AS latest WHERE is_eligible"
                    ) == 0)

                let again = try await pipeline.cli(rescreen + ["--all"])
                #expect(again.status == 0, "\(again.output)")
                #expect(again.output.contains("0 decision(s) changed"), "\(again.output)")
                #expect(try await revisions() == changedOnce)

                // The rules the co-ordinator names are not the ones screening runs: nothing is decided.
                let mismatched = try await pipeline.cli(["rescreen", "--by", "coordinator.7", "--ruleset", "phase1-2012", "--all"])
                #expect(mismatched.status == 1, "\(mismatched.output)")
                #expect(mismatched.output.contains("6 family(ies) set aside: a screening process runs phase1-2012@1.0.1-absence-25"), "\(mismatched.output)")
                #expect(try await revisions() == changedOnce)

                // As of a year on (the adults' JSA ended in the autumn of 2013), every decision changes, and
                // what the rescreen records stands: screening does not decide the families again as of its own day.
                let later = try await pipeline.cli(["rescreen", "--by", "coordinator.7", "--ruleset", stricter, "--as-of", "2014-09-01", "--all"])
                #expect(later.status == 0, "\(later.output)")
                #expect(later.output.contains("6 decision(s) changed"), "\(later.output)")
                try await PipelineHarness.eventually("no family waiting for screening's decision") {
                    try await pipeline.count("SELECT count(*) FROM screening_pending") == 0
                }
                let latestEach = try await pipeline.texts(
                    """
                    SELECT DISTINCT ON (family_id) decided_on::text || ' ' || decided_by FROM eligibility_decision
                    ORDER BY family_id, revision DESC
                    """)
                #expect(latestEach == Array(repeating: "2014-09-01 coordinator.7 (turnaround rescreen)", count: 6), "\(latestEach)")

                // What screening would refuse to read is refused before anything is sent.
                let requests = try await pipeline.count("SELECT count(*) FROM rescreen")
                let unnamed = try await pipeline.cli(["rescreen", "--by", "Jane Smith", "--ruleset", stricter, "--all"])
                #expect(unnamed.status == 64, "\(unnamed.output)")
                #expect(unnamed.output.contains("--by: may hold only letters, digits and - _ . / :"), "\(unnamed.output)")
                #expect(try await pipeline.count("SELECT count(*) FROM rescreen") == requests)
            }
        }
    }
}
