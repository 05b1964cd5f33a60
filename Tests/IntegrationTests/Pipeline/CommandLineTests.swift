import Contracts
import Foundation
import IntegrationSupport
import Postgres
import Testing

/// The CLI as careful as people need it: no half-done commands, no silent
/// zeros, errors that say why, and the exit status saying which kind
/// (0 done, 1 refused, 2 the environment, 64 usage).
@Suite(.startsProcesses, .takesAProcessSlot) struct CommandLineTests {
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
            let environment = ["DATABASE_URL": TestEnvironment.databaseURL(url, searchPath: pool.configuration.searchPath![0])]
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
            let csv = try await submit("referrals.txt", "id,postcode,givenName\nWYP-1,LS1 1AA,Kerry\n")
            #expect(csv.status == 1 && csv.output.contains("referrals.txt: looks like CSV: name it .csv or give --input csv"), "\(csv.output)")
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
            // On a terminal the check's progress is shown as it goes; a pipe gets the summary alone.
            #expect(!piped.output.contains("checked"), "\(piped.output)")
            let onTerminal = try await ChildProcess(
                "/usr/bin/script", ["-qec", "'\(binary)' submit referrals '\(file)' --agency police --key-file '\(police)' --dry-run", "/dev/null"],
                environment: pipeline.cliEnvironment)
            #expect(await onTerminal.waitForExit() == 0, "\(onTerminal.output)")
            #expect(onTerminal.output.contains("checked \(lines.count) of \(lines.count) lines of piped.jsonl"), "\(onTerminal.output)")
        }
    }

    @Test func aCSVFileIsCheckedWholeNamingEachBadRowByLineAndColumnAndADryRunSendsNothing() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            // 50 referrals of two people each: rows 2 to 101, the header on line 1.
            var rows = ["referral_id,address_line_1,address_line_2,postcode,reasons,ref,given_name,family_name,date_of_birth"]
            for referral in 0..<50 {
                for (member, born) in [("parent", 1980), ("child", 2002)] {
                    let line = rows.count + 1
                    let dateOfBirth = line == 10 ? "1986-02-30" : "\(born)-03-\(String(format: "%02d", referral % 28 + 1))"
                    let postcode = line == 40 ? "NOT A POSTCODE" : "LS1 1AA"
                    let given = line == 77 ? "" : "\"Given, \(member) \(referral)\""
                    // The address and reasons on a referral's first row; a later row may leave them empty.
                    let shared = member == "parent" ? "\(referral) Elm Street,Leeds,\(postcode),youth offending; school attendance" : ",,,"
                    rows.append("R-\(referral),\(shared),\(member),\(given),Walsh,\(dateOfBirth)")
                }
            }
            func submit(_ name: String, _ text: String, _ extra: [String] = []) async throws -> (status: Int32, output: String) {
                try await pipeline.cli(
                    ["submit", "referrals", try pipeline.file(named: name, holding: text), "--agency", "police", "--key-file", police] + extra)
            }
            let bad = try await submit("referrals.csv", rows.joined(separator: "\r\n") + "\r\n")
            // A later row giving another address disagrees with its referral's first.
            var disagreeing = rows
            disagreeing[4] = disagreeing[4].replacingOccurrences(of: "R-1,,,,", with: "R-1,1 Elm Street,Leeds,LS2 8AB,")
            #expect(bad.status == 1, "\(bad.output)")
            let named = bad.output.split(separator: "\n").filter { $0.hasPrefix("referrals.csv:") }
            #expect(named == [
                "referrals.csv:10: column date_of_birth: is not a real date (no such month, or no such day in its month)",
                "referrals.csv:40: column postcode: is not a UK postcode",
                "referrals.csv:77: column given_name: is missing",
                "referrals.csv: 3 problem(s); nothing was sent",
            ], "\(bad.output)")
            let disagrees = try await submit("disagrees.csv", disagreeing.joined(separator: "\n"))
            #expect(disagrees.output.contains("disagrees.csv:5: column postcode: differs from line 4's: a referral has one address"), "\(disagrees.output)")
            #expect(disagrees.output.contains("disagrees.csv:10: column date_of_birth: is not a real date"), "\(disagrees.output)")

            var good = rows
            good[9] = good[9].replacingOccurrences(of: "1986-02-30", with: "1986-02-28")
            good[39] = good[39].replacingOccurrences(of: "NOT A POSTCODE", with: "LS1 1AA")
            good[76] = good[76].replacingOccurrences(of: ",,Walsh", with: ",Sam,Walsh")
            let dryRun = try await submit("good.csv", good.joined(separator: "\n"), ["--dry-run"])
            #expect(dryRun.status == 0 && dryRun.output.contains("dry run: good.csv holds 50 referrals, each checked"), "\(dryRun.output)")
            let sent = try await submit("good.csv", good.joined(separator: "\n"))
            #expect(sent.status == 0 && sent.output.contains("sent 50 of 50 referrals"), "\(sent.output)")
            let messages = try await pipeline.consume("referrals.submitted", count: 50)
            #expect(messages.count == 50)
            let first = try ReferralSubmitted.decode(try #require(messages.first { String(decoding: $0.key ?? [], as: UTF8.self) == "police/R-0" }).value)
            #expect(first.referral.members.map(\.givenName) == ["Given, parent 0", "Given, child 0"])
            #expect(first.referral.address.lines == ["0 Elm Street", "Leeds"] && first.referral.reasons == ["youth offending", "school attendance"])

            // Evidence: one row per record, a term's fields in their own columns; a column the file may not have is named.
            let evidence = [
                "record_id,given_name,family_name,date_of_birth,kind,term_id,term_start,term_end,possible_sessions,unauthorised_absences,authorised_absences",
                "ATT-1,Sam,Walsh,2002-03-01,attendance,2013-AU,2013-09-03,2013-12-20,150,30,four",
            ].joined(separator: "\n")
            let records = try await pipeline.cli(
                ["submit", "evidence", try pipeline.file(named: "evidence.csv", holding: evidence), "--agency", "police", "--key-file", police])
            #expect(records.status == 1 && records.output.contains("evidence.csv:2: column authorised_absences: is not a whole number"), "\(records.output)")
            let unknown = try await pipeline.cli(
                ["submit", "evidence", try pipeline.file(named: "columns.csv", holding: "record_id,middle_name\nA,B\n"), "--agency", "police", "--key-file", police])
            #expect(unknown.output.contains("columns.csv:1: column middle_name: is not a column of an evidence file"), "\(unknown.output)")
            #expect(unknown.output.contains("columns.csv:1: column kind: is missing"), "\(unknown.output)")
        }
    }

    @Test func familiesAreFilteredByOutcomeReviewAndDayAndPaged() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let school = try await pipeline.registerAgency("school")
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["claims": 0]) {
                try await pipeline.submit("referrals", sample: "police-referrals.jsonl", agency: "police", keyFile: police)
                try await pipeline.submit("evidence", sample: "police-evidence.jsonl", agency: "police", keyFile: police)
                // Once the police's three families are registered (a referral joins the family of the first person it
                // names that intake knows, so the order matters), one naming the Brennans' mother and the Okafors'
                // father names people of two families: put on the review queue.
                try await PipelineHarness.eventually("the police's referrals registered") {
                    try await pipeline.count("SELECT count(*) FROM referral") == 3
                }
                let both = #"{"id":"LCC-EDU-9001","address":{"lines":["1 Oak Road"],"postcode":"LS2 8AB"},"members":["#
                    + #"{"ref":"a","givenName":"Kerry","familyName":"Brennan","dateOfBirth":"1980-02-14"},"#
                    + #"{"ref":"b","givenName":"Samuel","familyName":"Okafor","dateOfBirth":"1975-11-30"}],"reasons":["school attendance"]}"#
                try await pipeline.submit("referrals", lines: both, named: "both.jsonl", agency: "school", keyFile: school)
                try await PipelineHarness.eventually("the school's referral registered") {
                    try await pipeline.count("SELECT count(*) FROM referral") == 4
                }
                try await PipelineHarness.eventually("three families decided") {
                    try await pipeline.count("SELECT count(DISTINCT family_id) FROM eligibility_decision") == 3
                }
                try await PipelineHarness.eventually("nothing left to decide") {
                    try await pipeline.count("SELECT count(*) FROM screening_pending") == 0
                }
            }
            func families(_ arguments: [String]) async throws -> [[String: Any]] {
                let listed = try await pipeline.cli(["families", "--format", "json"] + arguments)
                return try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.output)")
            }
            let all = try await families([])
            #expect(all.count == 3)
            #expect(all.map { $0["family_id"] as? String ?? "" } == all.map { $0["family_id"] as? String ?? "" }.sorted())
            let review = try await families(["--needs-review"])
            // Both families of the item wait for a co-ordinator.
            #expect(review.count == 2 && review.allSatisfy { $0["review"] as? String == "item 1: two-families" }, "\(review)")
            #expect(try await families(["--since", "2013-09-02"]).isEmpty)
            #expect(try await families(["--since", "2013-09-01"]).count == 3)
            let firstPage = try await families(["--limit", "2"])
            let pages = try await firstPage + families(["--limit", "2", "--offset", "2"])
            #expect(pages.map { $0["family_id"] as? String } == all.map { $0["family_id"] as? String })
            let table = try await pipeline.cli(["families", "--limit", "1", "--offset", "1"])
            #expect(table.output.contains("families 2 to 2 of 3 families screened"), "\(table.output)")
            let bad = try await pipeline.cli(["families", "--since", "2013-02-30"])
            #expect(bad.status == 64 && bad.output.contains("--since \"2013-02-30\" is not a real date"), "\(bad.output)")
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

    /// A login without a command's role hears which roles there are, and nothing is done.
    @Test func aCommandRunWithoutItsRoleSaysWhichRoleItNeeds() async throws {
        try await PipelineHarness.with { pipeline in
            let asCoordinator = try pipeline.databaseURL(as: "turnaround_coordinator")
            let refused = try await pipeline.cli(
                ["claims", "allocation", "set", "--year", "2014/15", "--families", "10", "--by", "jo"], environment: ["DATABASE_URL": asCoordinator])
            #expect(refused.status == 2 && refused.output.contains("connect as a login in the command's role"), "\(refused.output)")
            #expect(try await pipeline.count("SELECT count(*) FROM claims_allocation") == 0)
            let allowed = try await pipeline.cli(["claims", "allocation", "set", "--year", "2014/15", "--families", "10", "--by", "jo"])
            #expect(allowed.status == 0, "\(allowed.output)")
        }
    }
}
