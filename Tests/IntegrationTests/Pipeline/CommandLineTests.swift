import Foundation
import IntegrationSupport
import Postgres
import Testing

/// The CLI as careful as people need it: no half-done commands, no silent
/// zeros, errors that say why, and the exit status saying which kind
/// (0 done, 1 refused, 2 the environment, 64 usage).
@Suite(.startsProcesses) struct CommandLineTests {
    /// Runs `turnaround` with exactly `environment` (the test's own is not passed on).
    static func turnaround(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        var bare = environment
        for name in ["DATABASE_URL", "KAFKA_BROKERS", "TOPIC_PREFIX"] where bare[name] == nil { bare[name] = "" }
        let process = try await ChildProcess(PipelineHarness.binaries.appendingPathComponent("turnaround").path, arguments, environment: bare)
        return (await process.waitForExit(), process.output)
    }

    @Test func anAgencyIsRegisteredOnlyWithItsKeyWrittenAndOnlyUnderAnIdOfTheDocumentedAlphabet() async throws {
        try await PipelineHarness.with { pipeline in
            let lost = try await pipeline.cli(["agency", "add", "police", "--name", "Police", "--key-file", "/no/such/dir/police.key"])
            #expect(lost.status == 2 && lost.output.contains("cannot create the key file /no/such/dir/police.key"), "\(lost.output)")
            let listed = try await pipeline.cli(["agency", "list", "--format", "json"])
            #expect((try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [Any])?.isEmpty == true, "\(listed.output)")

            let keyFile = pipeline.folder.appendingPathComponent("police.key").path
            let added = try await pipeline.cli(["agency", "add", "police", "--name", "Police", "--key-file", keyFile])
            #expect(added.status == 0, "\(added.output)")
            let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let again = try await pipeline.cli(
                ["agency", "add", "police", "--name", "Police", "--key-file", pipeline.folder.appendingPathComponent("other.key").path])
            #expect(again.status == 1 && again.output.contains("agency police is already registered"), "\(again.output)")
            #expect(!FileManager.default.fileExists(atPath: pipeline.folder.appendingPathComponent("other.key").path))
            let overwrite = try await pipeline.cli(["agency", "add", "school", "--name", "School", "--key-file", keyFile])
            #expect(overwrite.status == 1 && overwrite.output.contains("exists already"), "\(overwrite.output)")

            for bad in ["bad id!", ""] {
                let refused = try await pipeline.cli(["agency", "add", bad, "--name", "X", "--key-file", keyFile + ".bad"])
                #expect(refused.status == 64, "\(refused.output)")
                #expect(refused.output.contains(bad.isEmpty ? "is empty" : "may hold only letters, digits and - _ . / :"), "\(refused.output)")
            }

            let retired = try await pipeline.cli(["agency", "retire", "police"])
            #expect(retired.status == 0 && retired.output.contains("retired agency police"), "\(retired.output)")
            #expect(try await pipeline.cli(["agency", "retire", "police"]).status == 1)
            let unknown = try await pipeline.cli(["agency", "retire", "nobody"])
            #expect(unknown.status == 1 && unknown.output.contains("no agency nobody is registered"), "\(unknown.output)")
            let table = try await pipeline.cli(["agency", "list"])
            #expect(table.output.hasPrefix("agency_id  name    registered_at"), "\(table.output)")
            #expect(table.output.contains("retired"))
        }
    }

    @Test func aMistypedWindowOrIdIsAUsageErrorNotAnEmptyAnswer() async throws {
        try await PipelineHarness.with { pipeline in
            for window in ["2014 Q2", "2014-15 Q2"] {
                for command in [["claims"], ["claims", "submit", "--by", "f"], ["audit", "show"], ["report", "claims"]] {
                    let refused = try await pipeline.cli(command + ["--window", window])
                    #expect(refused.status == 64, "\(command) \(refused.output)")
                    #expect(refused.output.contains("--window \"\(window)\" is not a claim window (YYYY/YY Qn, such as 2014/15 Q2)"))
                }
            }
            let date = try await pipeline.cli(["attach", UUID().uuidString, "--on", "1986-02-30", "--keyworker", "k", "--by", "c"])
            #expect(date.status == 64 && date.output.contains("--on \"1986-02-30\" is not a real date"), "\(date.output)")
        }
    }

    @Test func aMisspeltCommandIsAnsweredWithTheClosestAndCommonOptionsGoAnywhere() async throws {
        try await PipelineHarness.with { pipeline in
            let misspelt = try await pipeline.cli(["claim"])
            #expect(misspelt.status == 64 && misspelt.output.contains("Unknown command 'claim' for 'turnaround'. Did you mean 'claims'?"), "\(misspelt.output)")
            let nested = try await pipeline.cli(["agency", "lst"])
            #expect(nested.status == 64 && nested.output.contains("Unknown command 'lst' for 'turnaround agency'. Did you mean 'list'?"), "\(nested.output)")
            let option = try await pipeline.cli(["claims", "--windw", "2014/15 Q2"])
            #expect(option.status == 64 && option.output.contains("Did you mean '--window'?"), "\(option.output)")
            let first = try await pipeline.cli(["--timeout", "30", "--log-level", "error", "families", "--format", "json"])
            #expect(first.status == 0 && first.output.hasPrefix("["), "\(first.output)")
        }
    }

    @Test func anUnknownFamilyIsNotAttachedAndNothingIsSent() async throws {
        try await PipelineHarness.with { pipeline in
            let family = UUID().uuidString.lowercased()
            let refused = try await pipeline.cli(["attach", family, "--on", "2013-09-16", "--keyworker", "kw-1", "--by", "coord-1"])
            #expect(refused.status == 1 && refused.output.contains("family \(family) has not been screened"), "\(refused.output)")
        }
    }

    @Test func aCommandOtherThanMigrateChangesNoSchemaAndSaysToMigrate() async throws {
        let url = try TestEnvironment.databaseURL()
        try await TestEnvironment.withTestSchema { pool in
            let environment = ["DATABASE_URL": url + "?options=-csearch_path%3D" + pool.configuration.searchPath![0]]
            for command in [["families"], ["claims"], ["agency", "list"], ["report", "claims"]] {
                let refused = try await Self.turnaround(command, environment: environment)
                #expect(refused.status == 2, "\(command) \(refused.output)")
                #expect(refused.output.contains("the database has no turnaround schema: run turnaround migrate"), "\(refused.output)")
            }
            #expect(try await pool.withConnection { try $0.query("SELECT to_regclass('schema_migration') IS NULL").decode(Bool.self)[0] })
            let migrated = try await Self.turnaround(["migrate"], environment: environment)
            #expect(migrated.status == 0, "\(migrated.output)")
            #expect(try await Self.turnaround(["families"], environment: environment).status == 0)
        }
    }

    @Test func aServerOrSettingThatIsNotThereIsNamedWithItsCauseAndExitsTwo() async throws {
        let down = try await Self.turnaround(["families"], environment: ["DATABASE_URL": "postgresql://turnaround@127.0.0.1:1/turnaround"])
        #expect(down.status == 2, "\(down.output)")
        #expect(down.output.contains("\"127.0.0.1\", port 1 failed: Connection refused"), "\(down.output)")
        #expect(!down.output.contains(".swift"), "\(down.output)")
        let unset = try await Self.turnaround(["families"], environment: [:])
        #expect(unset.status == 2 && unset.output.contains("DATABASE_URL"), "\(unset.output)")
    }

    @Test func aFileOfAnotherKindOrWithOneIdForTwoReferralsIsRefusedSayingWhy() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let sample = try String(contentsOf: PipelineHarness.samples.appendingPathComponent("police-referrals.jsonl"), encoding: .utf8)
            let lines = sample.split(separator: "\n").map(String.init)
            func submit(_ name: String, _ text: String) async throws -> (status: Int32, output: String) {
                try await pipeline.cli(["submit", "referrals", try pipeline.file(named: name, holding: text), "--agency", "police", "--key-file", police])
            }

            let array = try await submit("array.json", "[" + lines.joined(separator: ",\n") + "]\n")
            #expect(array.status == 1 && array.output.contains("array.json: holds a JSON array; send one JSON object per line"), "\(array.output)")
            #expect(!array.output.contains("array.json:1:"), "\(array.output)")
            let csv = try await submit("referrals.csv", "id,postcode,givenName\nWYP-1,LS1 1AA,Kerry\n")
            #expect(csv.status == 1 && csv.output.contains("referrals.csv: looks like CSV"), "\(csv.output)")
            let empty = try await submit("empty.jsonl", "\n\n")
            #expect(empty.status == 1 && empty.output.contains("empty.jsonl holds no referrals: nothing to send"), "\(empty.output)")

            let other = lines[1].replacingOccurrences(of: "WYP-2013-0519", with: "WYP-2013-0412")
            let twice = try await submit("twice.jsonl", [lines[0], lines[0], other].joined(separator: "\n"))
            #expect(twice.status == 1, "\(twice.output)")
            #expect(twice.output.contains("twice.jsonl:3: id: is line 1's id, with other content: an id names one referral"), "\(twice.output)")
            #expect(!twice.output.contains("twice.jsonl:2:"), "\(twice.output)")

            let strict = try await submit(
                "strict.jsonl",
                [
                    lines[0].replacingOccurrences(of: #""givenName":"Kerry""#, with: #""givenName":"Kerry","middle_name":"Ann""#),
                    lines[1].replacingOccurrences(of: #""reasons":["#, with: #""reasons":["astrology","#),
                    lines[0].replacingOccurrences(of: #""id":"#, with: #""padding":"\#(String(repeating: "x", count: 70_000))","id":"#),
                ].joined(separator: "\n"))
            #expect(strict.status == 1, "\(strict.output)")
            #expect(strict.output.contains("strict.jsonl:1: members[0].middle_name: is not a field of referral.submitted v1"), "\(strict.output)")
            #expect(strict.output.contains("strict.jsonl:2: reasons[0]: is not a referral reason: one of youth offending;"), "\(strict.output)")
            #expect(strict.output.contains("strict.jsonl:3: is 70"), "\(strict.output)")
            #expect(strict.output.contains("bytes, over the 64 KiB a message may hold"), "\(strict.output)")

            // Every problem of a line, each on a line of its own: not only the first.
            let bad = lines[0].replacingOccurrences(of: "1980-02-14", with: "1986-02-30")
                .replacingOccurrences(of: #""reasons":["#, with: #""reasons":["astrology","#)
                .replacingOccurrences(of: "LS1 1AA", with: "NOT A POSTCODE")
            let many = try await submit("date.jsonl", bad)
            #expect(many.status == 1, "\(many.output)")
            let named = many.output.split(separator: "\n").filter { $0.hasPrefix("date.jsonl:1: ") }
            #expect(named.count == 3, "\(many.output)")
            #expect(many.output.contains("date.jsonl:1: address.postcode: is not a UK postcode"), "\(many.output)")
            #expect(many.output.contains("date.jsonl:1: members[0].dateOfBirth: is not a real date"), "\(many.output)")
            #expect(many.output.contains("date.jsonl:1: reasons[0]: is not a referral reason"), "\(many.output)")
            #expect(many.output.contains("date.jsonl: 3 problem(s); nothing was sent"), "\(many.output)")

            // Standard input, for a file made by another program.
            let file = try pipeline.file(named: "piped.jsonl", holding: sample)
            let binary = PipelineHarness.binaries.appendingPathComponent("turnaround").path
            let piped = try await ChildProcess(
                "/bin/sh", ["-c", "'\(binary)' submit referrals - --agency police --key-file '\(police)' < '\(file)'"],
                environment: pipeline.cliEnvironment)
            #expect(await piped.waitForExit() == 0, "\(piped.output)")
            #expect(piped.output.contains("sent \(lines.count) of \(lines.count) referrals"), "\(piped.output)")
        }
    }

    @Test func aServerThatHangsIsGivenUpAfterTheTimeoutSayingWhatWasAwaited() async throws {
        try await LocalHTTP.withSilentPort { port in
            let hung = try await Self.turnaround(
                ["families", "--timeout", "2"], environment: ["DATABASE_URL": "postgresql://turnaround@127.0.0.1:\(port)/turnaround"])
            #expect(hung.status == 2, "\(hung.output)")
            #expect(hung.output.contains("waiting for PostgreSQL (127.0.0.1:\(port)/turnaround), up to 2 s (--timeout)"), "\(hung.output)")
            #expect(hung.output.contains("timeout expired"), "\(hung.output)")
        }
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            var environment = pipeline.environment
            environment["KAFKA_BROKERS"] = "127.0.0.1:1"
            let sample = PipelineHarness.samples.appendingPathComponent("police-referrals.jsonl").path
            let down = try await Self.turnaround(
                ["submit", "referrals", sample, "--agency", "police", "--key-file", police, "--timeout", "3"], environment: environment)
            #expect(down.status == 2, "\(down.output)")
            #expect(down.output.contains("waiting for Kafka (127.0.0.1:1), up to 3 s (--timeout)"), "\(down.output)")
            #expect(down.output.contains("messages (the first: 1) not sent:"), "\(down.output)")
            #expect(down.output.contains("sent 0 of"), "\(down.output)")
        }
    }

    @Test func everyListingReadsAsJSONAndTheVersionNamesTheRulesets() async throws {
        try await PipelineHarness.with { pipeline in
            for command in [
                ["families"], ["agency", "list"], ["claims"], ["claims", "--status", "paid"], ["dlq", "list"], ["check", "decisions"],
                ["check", "claims"], ["report", "claims"], ["report", "progress"],
            ] {
                let listed = try await pipeline.cli(command + ["--format", "json"])
                #expect(listed.status == 0, "\(command) \(listed.output)")
                #expect((try? JSONSerialization.jsonObject(with: Data(listed.output.utf8))) != nil, "\(command): \(listed.output)")
            }
            let version = try await pipeline.cli(["--version"])
            #expect(version.status == 0 && version.output.contains("rulesets: phase1-2012@1.0.0#"), "\(version.output)")
        }
    }
}
