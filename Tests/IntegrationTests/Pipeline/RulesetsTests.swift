import Foundation
import IntegrationSupport
import Rules
import Testing

/// The rulesets' lifecycle as co-ordinators and operators meet it:
/// screening refusing to decide under a ruleset changed without a new version.
@Suite(.startsProcesses) struct RulesetsTests {
    static let phase2File = TestEnvironment.repositoryRoot.appendingPathComponent("Shared/Rules/Rulesets/phase2-2015.json")

    /// Phase 2's file made the authority's own: `leeds-2016` at `version`,
    /// its crime criterion citing the council's Outcome Plan, with `edit`
    /// applied to the text; written to a file of the harness's.
    static func leedsRuleset(
        _ pipeline: PipelineHarness, version: String, named name: String, edit: (String) -> String = { $0 }
    ) throws -> String {
        let phase2 = try String(contentsOf: phase2File, encoding: .utf8)
        var text = phase2.replacingOccurrences(of: #""id": "phase2-2015""#, with: #""id": "leeds-2016""#)
            .replacingOccurrences(of: #""version": "1.2.0""#, with: #""version": "\#(version)""#)
            .replacingOccurrences(of: #""name": "Troubled Families phase 2 (2015-21)""#, with: #""name": "Leeds Outcome Plan 2016""#)
            .replacingOccurrences(
                of: #""source": "Financial Framework for the Expanded Troubled Families Programme (DCLG, 2015), headline problem 1:"#,
                with: #""source": "Leeds Outcome Plan 2016, problem 1 (the national headline problem 1):"#)
        text = edit(text)
        #expect(text.contains("leeds-2016") && text.contains("Leeds Outcome Plan 2016, problem 1"))
        return try pipeline.file(named: name, holding: text)
    }

    @Test func screeningRefusesToStartWithARulesetChangedUnderItsVersionAndStartsOnceTheVersionIsBumped() async throws {
        try await PipelineHarness.with { pipeline in
            let screeningOnly = ["intake": 0, "claims": 0]
            let original = try Self.leedsRuleset(pipeline, version: "1.0.0", named: "leeds.json")
            try await pipeline.withServices(
                screeningAsOf: "2016-05-14", claimsAsOf: "2016-05-14", replicas: screeningOnly, settings: ["RULESET": original]) {}
            let recordedHash = try Ruleset.load(from: URL(fileURLWithPath: original)).contentHash

            let lowerThreshold: (String) -> String = {
                $0.replacingOccurrences(of: #""thresholdPercent": 10"#, with: #""thresholdPercent": 5"#)
            }
            let changed = try Self.leedsRuleset(pipeline, version: "1.0.0", named: "leeds-changed.json", edit: lowerThreshold)
            let changedHash = try Ruleset.load(from: URL(fileURLWithPath: changed)).contentHash
            #expect(changedHash != recordedHash)
            var settings = pipeline.environment
            settings["RULESET"] = changed
            settings["WORKER_HTTP_PORT"] = "0"
            let startedAt = try await pipeline.pool.withConnection { try $0.query("SELECT now()").decode(Date.self)[0] }
            let refused = try await ChildProcess(PipelineHarness.binaries.appendingPathComponent("turnaround-screening").path, [], environment: settings)
            // It ends by itself, or it started consuming: then it reports its backlog, and the test fails.
            try await PipelineHarness.eventually("screening ended or started") {
                if refused.exitStatus != nil { return true }
                return try await pipeline.count("SELECT count(*) FROM consumer_backlog WHERE measured_at BETWEEN \(startedAt) AND now()") > 0
            }
            let status = refused.exitStatus == nil ? await refused.stopGracefully() : await refused.waitForExit()
            #expect(status == 1, "\(refused.output)")
            for expected in [
                "ruleset leeds-2016 version 1.0.0 is recorded with content hash \(recordedHash)",
                "but this one's content hash is \(changedHash)", "a changed ruleset needs a new version",
            ] {
                #expect(refused.output.contains(expected), "\(expected)\n\(refused.output)")
            }
            let recorded = try await pipeline.texts("SELECT ruleset_version || ' ' || content_hash FROM ruleset WHERE ruleset_id = 'leeds-2016'")
            #expect(recorded == ["1.0.0 \(recordedHash)"])

            let bumped = try Self.leedsRuleset(pipeline, version: "1.1.0", named: "leeds-1.1.0.json", edit: lowerThreshold)
            try await pipeline.withServices(
                screeningAsOf: "2016-05-14", claimsAsOf: "2016-05-14", replicas: screeningOnly, settings: ["RULESET": bumped]) {}
            let both = try await pipeline.texts(
                "SELECT ruleset_version || ' ' || content_hash FROM ruleset WHERE ruleset_id = 'leeds-2016' ORDER BY ruleset_version")
            #expect(both == ["1.0.0 \(recordedHash)", "1.1.0 \(try Ruleset.load(from: URL(fileURLWithPath: bumped)).contentHash)"])
        }
    }
}
