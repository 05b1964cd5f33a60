import Foundation
import IntegrationSupport
import Rules
import Testing

/// The rulesets' lifecycle as co-ordinators and operators meet it: what is
/// shipped and what is in use (`turnaround rulesets list`), a ruleset in
/// words (`show`), a file checked before it is used (`check`), and screening
/// refusing to decide under a ruleset changed without a new version.
@Suite(.startsProcesses, .takesAProcessSlot) struct RulesetsTests {
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

    /// The listing as JSON objects, by `ruleset_id@version`.
    static func listed(_ pipeline: PipelineHarness) async throws -> [String: [String: Any]] {
        let listed = try await pipeline.cli(["rulesets", "list", "--format", "json"])
        #expect(listed.status == 0, "\(listed.output)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.output)")
        return Dictionary(uniqueKeysWithValues: rows.map { row in ("\(row["ruleset_id"] ?? "")@\(row["version"] ?? "")", row) })
    }

    @Test func listShowsTheShippedRulesetsAndOnceScreeningHasStartedTheOneInUseWithItsDecisions() async throws {
        try await PipelineHarness.with { pipeline in
            let shipped = try Ruleset.bundledNames.map { try Ruleset.bundled($0) }
            let before = try await Self.listed(pipeline)
            #expect(before.count == 3, "\(before)")
            for ruleset in shipped {
                let row = try #require(before["\(ruleset.id)@\(ruleset.version)"], "\(before)")
                #expect(row["name"] as? String == ruleset.name)
                #expect(row["content_hash"] as? String == ruleset.contentHash)
                #expect(row["shipped"] as? String == "yes")
                #expect(row["first_used"] as? String == "" && row["decisions"] as? Int == 0)
            }

            try await LaterRulesetsTests.sendTheNowakFamily(to: pipeline)

            let leedsFile = try Self.leedsRuleset(pipeline, version: "1.0.0", named: "leeds-2016.json")
            let leeds = try Ruleset.load(from: URL(fileURLWithPath: leedsFile))
            var family = ""
            try await pipeline.withServices(
                screeningAsOf: "2016-05-14", claimsAsOf: "2016-05-14", replicas: ["claims": 0], settings: ["RULESET": leedsFile]
            ) {
                family = try await LaterRulesetsTests.eligibleFamily(pipeline)
            }
            // What follows reads the ruleset from the database: no build ships it, and its file is gone.
            try FileManager.default.removeItem(atPath: leedsFile)

            let after = try await Self.listed(pipeline)
            #expect(after.count == 4, "\(after)")
            let inUse = try #require(after["leeds-2016@1.0.0"], "\(after)")
            #expect(inUse["name"] as? String == "Leeds Outcome Plan 2016")
            #expect(inUse["content_hash"] as? String == leeds.contentHash)
            #expect(inUse["shipped"] as? String == "no")
            #expect(inUse["decisions"] as? Int == 1)
            let firstUsed = try #require(inUse["first_used"] as? String)
            let lastUsed = try #require(inUse["last_used"] as? String)
            #expect(!firstUsed.isEmpty && firstUsed <= lastUsed, "\(inUse)")
            for ruleset in shipped { #expect(after["\(ruleset.id)@\(ruleset.version)"]?["decisions"] as? Int == 0) }

            let table = try await pipeline.cli(["rulesets", "list"])
            #expect(table.status == 0, "\(table.output)")
            #expect(table.output.hasPrefix("ruleset_id "), "\(table.output)")
            #expect(table.output.contains("leeds-2016  "), "\(table.output)")
            #expect(table.output.contains(String(leeds.contentHash.prefix(12)) + "  no"), "\(table.output)")
            #expect(table.output.hasSuffix("3 rulesets shipped, 1 in use\n"), "\(table.output)")

            let shown = try await pipeline.cli(["rulesets", "show", "leeds-2016"])
            #expect(shown.status == 0, "\(shown.output)")
            for expected in [
                "leeds-2016 v1.0.0: Leeds Outcome Plan 2016", "Content hash \(leeds.contentHash): in use, first started ",
                "Crime / anti-social behaviour (crime)\n  source: Leeds Outcome Plan 2016, problem 1",
                "  - a proven offence by any member in the last 12 months",
            ] {
                #expect(shown.output.contains(expected), "\(expected)\n\(shown.output)")
            }

            let explained = try await pipeline.cli(["explain", family])
            #expect(explained.status == 0, "\(explained.output)")
            #expect(explained.output.contains("under leeds-2016 v1.0.0"), "\(explained.output)")
            #expect(
                explained.output.contains("[met]     Crime / anti-social behaviour\n  source: Leeds Outcome Plan 2016, problem 1"),
                "\(explained.output)")
        }
    }

    @Test func showPrintsPhaseTwoCriteriaSourcesResultsAndPaymentsInWords() async throws {
        let shown = try await CommandLineTests.turnaround(["rulesets", "show", "phase2-2015"], environment: [:])
        #expect(shown.status == 0, "\(shown.output)")
        let hash = try Ruleset.bundled("phase2-2015").contentHash
        for expected in [
            "phase2-2015 v1.2.0: Troubled Families phase 2 (2015-21)\nContent hash \(hash): shipped with this build.",
            "Crime / anti-social behaviour (crime)\n  source: Financial Framework for the Expanded Troubled Families Programme (DCLG, 2015), "
                + "headline problem 1",
            "  - a proven offence by any member in the last 12 months",
            "  - an adult in custody due for release within 12 months",
            "  - a licence, community order or suspended sentence in force in the last 12 months",
            "  - overall absence of 10% or more of possible sessions over the last 3 terms",
            "  - a member aged 16 to 24 not in education, employment or training",
            "Eligible: at least 2 of (Crime / anti-social behaviour, Children not attending school regularly, Children who need help, "
                + "Worklessness or financial exclusion, Domestic violence and abuse, Physical or mental health problems)",
            "  Significant and sustained progress (progress): every criterion the family met at attachment no longer met",
            "  2015/16: attachment fee £1,000; results pay at most £800 a family (progress £800, employment £800)",
            "  2020/21: attachment fee £1,000",
        ] {
            #expect(shown.output.contains(expected), "\(expected)\n\(shown.output)")
        }
        let unknown = try await CommandLineTests.turnaround(["rulesets", "show", "phase2-2015@9.9.9"], environment: [:])
        #expect(unknown.status == 2, "\(unknown.output)")
        #expect(unknown.output.contains("phase2-2015@9.9.9 is not shipped (this build ships phase2-2015 version 1.2.0)"), "\(unknown.output)")
    }

    @Test func checkOfABrokenFileListsEveryProblemByFieldAndExitsOne() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("rulesets"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let phase2 = try String(contentsOf: Self.phase2File, encoding: .utf8)
        let broken = phase2.replacingOccurrences(of: #""id": "phase2-2015""#, with: #""id": "leeds-2016""#)
            .replacingOccurrences(of: #"{ "kind": "provenOffence", "lookbackMonths": 12 }"#, with: #"{ "kind": "provenOffence", "lookbackMonths": -12 }"#)
            .replacingOccurrences(of: #""id": "health""#, with: #""id": "crime""#)
            .replacingOccurrences(of: #"{ "criterion": "health" }"#, with: #"{ "criterion": "wellbeing" }"#)
            .replacingOccurrences(of: #""progress": 800, "employment": 800 } },"#, with: #""progress": 800, "bonus": 800 } },"#)
        let file = folder.appendingPathComponent("leeds.json")
        try broken.write(to: file, atomically: true, encoding: .utf8)

        let checked = try await CommandLineTests.turnaround(["rulesets", "check", file.path], environment: [:])
        #expect(checked.status == 1, "\(checked.output)")
        var expected = [
            "leeds.json: criteria[0].anyOf[0].lookbackMonths: must not be negative",
            "leeds.json: criteria[5].id: 'crime' is used twice",
            "leeds.json: eligibility.of[5].criterion: refers to unknown criterion 'wellbeing'",
        ]
        expected += (0..<5).map { "leeds.json: payments.years[\($0)].results: refers to unknown result 'bonus'" }
        expected.append("leeds.json: \(expected.count) problem(s); the ruleset cannot be used")
        #expect(checked.output.split(separator: "\n").map(String.init) == expected, "\(checked.output)")

        let sound = folder.appendingPathComponent("leeds-sound.json")
        try phase2.replacingOccurrences(of: #""id": "phase2-2015""#, with: #""id": "leeds-2016""#).write(to: sound, atomically: true, encoding: .utf8)
        let ok = try await CommandLineTests.turnaround(["rulesets", "check", sound.path], environment: [:])
        #expect(ok.status == 0, "\(ok.output)")
        let hash = try Ruleset.load(from: sound).contentHash
        #expect(ok.output == "leeds-sound.json: ok: leeds-2016 version 1.2.0, content hash \(hash)\n", "\(ok.output)")
    }

    /// Starts a stage's process under `ruleset` and waits until it ends by
    /// itself, or starts consuming (it then reports its backlog, and is stopped).
    /// - Returns: its exit status and output.
    static func start(_ stage: String, under ruleset: String, in pipeline: PipelineHarness) async throws -> (status: Int32, output: String) {
        var settings = pipeline.environment
        settings["RULESET"] = ruleset
        settings["WORKER_HTTP_PORT"] = "0"
        let startedAt = try await pipeline.pool.withConnection { try $0.query("SELECT now()").decode(Date.self)[0] }
        let process = try await ChildProcess(PipelineHarness.binaries.appendingPathComponent("turnaround-" + stage).path, [], environment: settings)
        try await PipelineHarness.eventually("\(stage) ended or started") {
            if process.exitStatus != nil { return true }
            return try await pipeline.count("SELECT count(*) FROM consumer_backlog WHERE measured_at BETWEEN \(startedAt) AND now()") > 0
        }
        let status = process.exitStatus == nil ? await process.stopGracefully() : await process.waitForExit()
        return (status, process.output)
    }

    @Test func screeningAndClaimsRefuseToStartWithARulesetChangedUnderItsVersionAndStartOnceTheVersionIsBumped() async throws {
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
            for stage in ["screening", "claims"] {
                let refused = try await Self.start(stage, under: changed, in: pipeline)
                #expect(refused.status == 1, "\(refused.output)")
                for expected in [
                    "\(stage) refuses to start: ruleset leeds-2016 version 1.0.0 is recorded with content hash \(recordedHash)",
                    "but this one's content hash is \(changedHash)", "a changed ruleset needs a new version",
                ] {
                    #expect(refused.output.contains(expected), "\(expected)\n\(refused.output)")
                }
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
