import Contracts
import Digest
import Foundation
import IntegrationSupport
import Kafka
import Testing

/// Referral to claim through the real processes: agencies submit with the
/// CLI, the three services run as operators run them.
@Suite(.startsProcesses, .takesAProcessSlot) struct PipelineTests {
    static let sampleAgencies = ["police", "school", "dwp", "social-care"]

    @Test func samplesGoFromReferralsToClaimsOnce() async throws {
        try await PipelineHarness.with { pipeline in
            var keys: [String: String] = [:]
            for agency in Self.sampleAgencies { keys[agency] = try await pipeline.registerAgency(agency) }
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {
                for agency in ["police", "school"] {
                    try await pipeline.submit("referrals", sample: agency + "-referrals.jsonl", agency: agency, keyFile: keys[agency]!)
                }
                for agency in Self.sampleAgencies {
                    try await pipeline.submit("evidence", sample: agency + "-evidence.jsonl", agency: agency, keyFile: keys[agency]!)
                }

                // Five referrals, four families: the school's referral names the
                // Brennans' mother, so her daughter joins that family.
                try await PipelineHarness.eventually("five referrals accepted") { try await pipeline.count("SELECT count(*) FROM referral") == 5 }
                #expect(try await pipeline.count("SELECT count(DISTINCT family_id) FROM referral") == 4)
                #expect(try await pipeline.count("SELECT count(*) FROM person") == 10)
                let brennans = try await pipeline.count(
                    "SELECT count(*) FROM person WHERE family_id = (SELECT family_id FROM person WHERE given_name = 'Chloe')")
                #expect(brennans == 3)
                // Evidence about someone nobody referred waits in intake.
                try await PipelineHarness.eventually("evidence matched or held") {
                    try await pipeline.count("SELECT count(*) FROM screening_evidence") == 23
                }
                #expect(try await pipeline.count("SELECT count(*) FROM unmatched_evidence") == 1)

                try await PipelineHarness.eventually("all four families decided, three eligible") {
                    try await pipeline.texts(
                        """
                        SELECT DISTINCT ON (family_id) is_eligible::text FROM eligibility_decision
                        ORDER BY family_id, revision DESC
                        """
                    ).sorted() == ["false", "true", "true", "true"]
                }

                let eligible = try await pipeline.cli(["families", "--eligible", "--ids-only"])
                let families = eligible.output.split(separator: "\n").map(String.init)
                #expect(families.count == 3)
                // A family not eligible is not attached; a dry run sends nothing.
                let listing = try await pipeline.cli(["families", "--format", "json"])
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(listing.output.utf8)) as? [[String: Any]], "\(listing.output)")
                let notEligible = try #require(rows.first { $0["outcome"] as? String == "not eligible" }?["family_id"] as? String)
                let refused = try await pipeline.cli(["attach", notEligible, "--on", "2013-09-16", "--keyworker", "kw-17", "--by", "coord-2"])
                #expect(refused.status == 1 && refused.output.contains("family \(notEligible) is not eligible"), "\(refused.output)")
                let dryRun = try await pipeline.cli(["attach", families[0], "--on", "2013-09-16", "--keyworker", "kw-17", "--by", "coord-2", "--dry-run"])
                #expect(dryRun.status == 0 && dryRun.output.hasPrefix("would send the attachment of family \(families[0])"), "\(dryRun.output)")
                // A file of attachments is checked whole: a bad line, a family not
                // eligible without --force and one family twice refuse it all, each by line.
                func line(_ family: String, _ extra: String = "") -> String {
                    #"{"family":"\#(family)","on":"2013-09-16","keyworker":"kw-17"\#(extra)}"#
                }
                let badFile = try pipeline.file(
                    named: "attach-bad.jsonl",
                    holding: [
                        line(families[0]), #"{"family":"x","on":"2013-02-30","keyworker":"kw-17","team":"a"}"#, line(notEligible), line(families[0]),
                    ].joined(separator: "\r\n"))
                let bad = try await pipeline.cli(["attach", "--file", badFile, "--by", "coord-2"])
                #expect(bad.status == 1, "\(bad.output)")
                for problem in [
                    "attach-bad.jsonl:2: team: is not a field of an attachment", "attach-bad.jsonl:2: family: is not a family id",
                    "attach-bad.jsonl:2: on: is not a real date", "attach-bad.jsonl:4: family: is line 1's family too",
                    "attach-bad.jsonl: 4 problem(s); nothing was sent",
                ] {
                    #expect(bad.output.contains(problem), "\(problem)\n\(bad.output)")
                }
                let notEligibleInFile = try await pipeline.cli(
                    ["attach", "--file", try pipeline.file(named: "attach-ne.jsonl", holding: line(families[0]) + "\n" + line(notEligible)), "--by", "coord-2"])
                #expect(notEligibleInFile.status == 1, "\(notEligibleInFile.output)")
                #expect(notEligibleInFile.output.contains("attach-ne.jsonl:2: family \(notEligible) is not eligible"), "\(notEligibleInFile.output)")
                #expect(notEligibleInFile.output.contains("--force --reason TEXT attaches it at your discretion"), "\(notEligibleInFile.output)")
                #expect(try await pipeline.count("SELECT count(*) FROM claims_family WHERE attached_on IS NOT NULL") == 0)

                let good = try pipeline.file(named: "attach.jsonl", holding: families.map { line($0) }.joined(separator: "\n") + "\n")
                let attached = try await pipeline.cli(["--quiet", "attach", "--file", good, "--by", "coord-2"])
                // Quiet: nothing on standard output (a wait for a slow broker is still said on standard error).
                #expect(attached.status == 0 && !attached.output.contains("sent"), "\(attached.output)")
                // At the co-ordinator's discretion, with the reason kept; no fee for a family not eligible.
                let unforced = try await pipeline.cli(["attach", notEligible, "--on", "2013-09-20", "--keyworker", "kw-9", "--by", "coord-2", "--reason", "x"])
                #expect(unforced.status == 64 && unforced.output.contains("--reason goes with --force"), "\(unforced.output)")
                let forced = try await pipeline.cli(
                    ["attach", notEligible, "--on", "2013-09-20", "--keyworker", "kw-9", "--by", "coord-2", "--force", "--reason", "case conference 12 Sep"])
                #expect(forced.status == 0 && forced.output.contains("at their discretion"), "\(forced.output)")
                try await PipelineHarness.eventually("the discretionary attachment recorded") {
                    try await pipeline.texts(
                        "SELECT coalesce(attachment_discretion || ' by ' || attached_by, '') FROM claims_family WHERE family_id = \(UUID(uuidString: notEligible)!)")
                        == ["case conference 12 Sep by coord-2"]
                }
                try await pipeline.submit("evidence", sample: "outcome-evidence.jsonl", agency: "dwp", keyFile: keys["dwp"]!)

                // Attachment fees for 2013/14, and the Brennans' mother in work for
                // 13 weeks: result C.
                try await PipelineHarness.eventually("claims made") {
                    try await pipeline.count("SELECT count(*) FROM result_claim WHERE payment = 'C'") == 1
                }
                try await PipelineHarness.eventually("every attachment fee claimed") {
                    try await pipeline.count("SELECT count(*) FROM result_claim WHERE payment = 'attachment'") == 3
                }
                #expect(try await pipeline.count("SELECT sum(amount_pence)::bigint FROM result_claim WHERE payment = 'attachment'") == 720_000)
                // A family attached is not attached again: refused, nothing sent.
                let reattached = try await pipeline.cli(["attach", families[0], "--on", "2013-10-01", "--keyworker", "kw-18", "--by", "coord-2"])
                #expect(
                    reattached.status == 1 && reattached.output.contains("was attached already, on 2013-09-16 (keyworker kw-17)"),
                    "\(reattached.output)")
                #expect(try await pipeline.count("SELECT amount_pence FROM result_claim WHERE payment = 'C'") == 160_000)

                // Sending the outcome evidence again changes no claim.
                try await pipeline.submit("evidence", sample: "outcome-evidence.jsonl", agency: "dwp", keyFile: keys["dwp"]!)
                let report = try await pipeline.cli(["claims", "--format", "csv"])
                #expect(report.output.split(separator: "\n").count == 5, "\(report.output)")

                // Finance: internal audit samples the window and passes what it drew,
                // validates three claims and rejects one; the window goes to the
                // department as one return, which pays it.
                let listed = report.output.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
                let (ids, window) = (listed.map { $0[0] }, listed[0][1])
                let sample = try await pipeline.cli(
                    ["audit", "sample", "--window", window, "--percent", "10", "--seed", "20141001", "--by", "auditor-1", "--format", "csv"])
                let sampled = sample.output.split(separator: "\n").dropFirst().map { String($0.prefix(36)) }
                // One attachment fee of three and the one result, drawn; a family
                // eligible on local discretion alone is taken whatever the draw.
                #expect(sample.status == 0, "\(sample.output)")
                #expect(sample.output.components(separatedBy: "drawn from the attachment stratum (1 of 3)").count == 2, "\(sample.output)")
                #expect(sample.output.contains("drawn from the C stratum (1 of 1)"), "\(sample.output)")
                for claim in sampled {
                    #expect(try await pipeline.cli(["audit", "pass", claim, "--by", "auditor-1", "--note", "evidence matches"]).status == 0)
                }
                #expect(try await pipeline.cli(["claims", "validate"] + ids.dropLast() + ["--by", "auditor-1"]).status == 0)
                #expect(try await pipeline.cli(["claims", "reject", ids.last!, "--by", "auditor-1", "--reason", "attached twice"]).status == 0)
                let again = try await pipeline.cli(["claims", "validate", ids.last!, "--by", "auditor-2"])
                #expect(again.status != 0 && again.output.contains("is rejected: only a claim awaiting audit can be validated"), "\(again.output)")
                let submitted = try await pipeline.cli(["claims", "submit", "--window", window, "--by", "finance-1"])
                #expect(submitted.status == 0 && submitted.output.contains("3 claim(s)"), "\(submitted.output)")
                let returnID = try #require(submitted.output.split(separator: " ").dropFirst(2).first.map(String.init))
                #expect(try await pipeline.cli(["claims", "paid", "--return", returnID, "--by", "finance-2"]).status == 0)
                let paid = try await pipeline.cli(["claims", "--status", "paid", "--format", "csv"])
                #expect(paid.output.split(separator: "\n").count == 4, "\(paid.output)")
                // The evidence pack of the result claimed: every part, and no name, birth date or address.
                let resultClaim = try #require(listed.first { $0[3] == "C" }?[0])
                let json = try await pipeline.cli(["claims", "pack", resultClaim, "--format", "json"])
                let pack = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], "\(json.output)")
                #expect(Set(pack.keys) == [
                    "claim", "ruleset", "eligibility", "attachment", "baseline", "measuredOn", "result", "paymentWorking", "history", "audit",
                    "personalData",
                ])
                let criteria = try #require((pack["eligibility"] as? [String: Any])?["criteria"] as? [[String: Any]])
                #expect(criteria.contains { ($0["findings"] as? [[String: Any]])?.contains { !(($0["evidenceIDs"] as? [String]) ?? []).isEmpty } == true })
                #expect((pack["attachment"] as? [String: Any])?["keyworker"] as? String == "kw-17")
                #expect((pack["history"] as? [[String: Any]])?.map { $0["to"] as? String } == ["awaiting-audit", "validated", "submitted", "paid"])
                let html = try await pipeline.cli(["claims", "pack", resultClaim, "--format", "html"])
                #expect(html.status == 0 && html.output.contains("<h2>Eligibility at entry</h2>") && html.output.contains("<h2>History</h2>"))
                #expect(!html.output.contains("http://") && !html.output.contains("https://") && !html.output.contains("<script"))
                for personal in ["Brennan", "Okafor", "Hussain", "Kerry", "Samuel", "1980-02-14", "1975-11-30", "Elm Street", "LS1"] {
                    #expect(!json.output.contains(personal) && !html.output.contains(personal), "the pack holds \(personal)")
                }

                let history = try await pipeline.cli(["claims", "history", ids[0], "--format", "csv"])
                #expect(
                    history.output.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] }
                        == ["awaiting-audit", "validated", "submitted", "paid"], "\(history.output)")

                // The reports: the claims' total is the database's; the progress table counts the three families.
                let claimsReport = try await pipeline.cli(["report", "claims", "--format", "json"])
                let reported = try #require(try JSONSerialization.jsonObject(with: Data(claimsReport.output.utf8)) as? [String: Any])
                let total = try #require(reported["total"] as? [String: Any])
                #expect(total["claims"] as? Int == 4 && total["amount_pence"] as? Int == 880_000, "\(claimsReport.output)")
                #expect((reported["by_stage"] as? [String: [String: Any]])?["rejected-by-audit"]?["claims"] as? Int == 1)
                let progress = try await pipeline.cli(["report", "progress", "--format", "json"])
                let progressed = try #require(try JSONSerialization.jsonObject(with: Data(progress.output.utf8)) as? [String: Any])
                #expect(
                    progressed["total"] as? [String: Int] == ["identified": 3, "worked_with": 3, "turned_around": 1, "progress_to_work": 0],
                    "\(progress.output)")

                // Nothing downstream of intake carries a name or an address (DeadLetterToolsTests checks the dead-letter notices).
                let downstream = try await pipeline.texts("SELECT convert_from(payload, 'UTF8') || headers::text FROM outbox_event")
                #expect(!downstream.isEmpty)
                #expect(!downstream.contains { $0.contains("Brennan") || $0.contains("Elm Street") || $0.contains("LS1") })

            }
        }
    }

    @Test func eachStagesMetricsPassPromtoolAtTheStartAndUnderWork() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let ports = Dictionary(uniqueKeysWithValues: try ["intake", "screening", "claims"].map { ($0, try LocalHTTP.freePort()) })
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", ports: ports) {
                for (service, port) in ports {
                    try await PipelineHarness.eventually("\(service) answers") { await LocalHTTP.get(port: port, path: "/metrics")?.status == 200 }
                    let fresh = try #require(await LocalHTTP.get(port: port, path: "/metrics"))
                    #expect(try await Promtool.complaints(about: fresh.body) == nil, "\(service)")
                }
                try await pipeline.submit("referrals", sample: "police-referrals.jsonl", agency: "police", keyFile: police)
                try await PipelineHarness.eventually("families decided") { try await pipeline.count("SELECT count(*) FROM eligibility_decision") > 0 }
                for (service, port) in ports {
                    let scrape = try #require(await LocalHTTP.get(port: port, path: "/metrics"))
                    #expect(try await Promtool.complaints(about: scrape.body) == nil, "\(service)")
                    #expect(scrape.body.contains("turnaround_events_processed_total{service=\"\(pipeline.prefix)\(service)\""), "\(service)")
                }
            }
        }
    }

    /// Sent straight to the topic, signed, past the CLI's checks: intake reads as strictly.
    @Test func aReferralWithAFieldNotInItsSchemaOrOverTheSizeLimitIsDeadLetteredByIntake() async throws {
        try await PipelineHarness.with { pipeline in
            let keyFile = try await pipeline.registerAgency("police")
            let line = try String(contentsOf: PipelineHarness.samples.appendingPathComponent("police-referrals.jsonl"), encoding: .utf8)
                .split(separator: "\n")[0]
            let frame = SubmissionFrame<ReferralSubmitted>(agency: "police", submittedAt: Date())
            let unknown = frame.message(around: Array(line.replacingOccurrences(of: #""id":"#, with: #""extra_field":1,"id":"#).utf8))
            let padded = frame.message(around: Array(line.replacingOccurrences(of: #""id":"#, with: #""padding":"\#(String(repeating: "x", count: 70_000))","id":"#).utf8))
            // Bigger than the 1 MB a producer sends by default: its dead letter must still be announced.
            let huge = frame.message(around: Array(line.replacingOccurrences(of: #""id":"#, with: #""padding":"\#(String(repeating: "x", count: 3_000_000))","id":"#).utf8))
            var large = pipeline.kafka
            large.properties["message.max.bytes"] = "8000000"
            let producer = try KafkaProducer(configuration: large, logger: TestEnvironment.logger)
            for payload in [unknown, padded, huge] {
                _ = try await producer.send(
                    KafkaOutgoingMessage(
                        topic: pipeline.prefix + "referrals.submitted", key: Array("police/WYP".utf8), value: payload,
                        headers: [.newEventID()] + PipelineHarness.signatureHeaders(payload, keyFile: keyFile)))
            }
            await producer.shutdown()
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["screening": 0, "claims": 0]) {
                let dead = try await pipeline.consume("referrals.submitted.dlq", count: 3)
                let reasons = dead.map { String(decoding: $0.headers.first { $0.name == "dlq-reason" }?.value ?? [], as: UTF8.self) }
                #expect(reasons.contains { $0.contains("referral.extra_field: is not a field of referral.submitted v1") }, "\(reasons)")
                #expect(reasons.filter { $0.contains("bytes, over the 64 KiB a referral.submitted message may hold") }.count == 2, "\(reasons)")
                // The notices are small whatever they announce; the originals are kept whole in Postgres.
                #expect(dead.allSatisfy { $0.value.count < 4_096 }, "\(dead.map(\.value.count))")
                #expect(try await pipeline.count("SELECT max(length(payload))::int FROM dead_letter") == huge.count)
                #expect(try await pipeline.count("SELECT count(*) FROM referral") == 0)
            }
        }
    }

    @Test func aReferralWithABadSignatureOrFromAnUnknownAgencyIsDeadLetteredWithItsReason() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let impostor = try await pipeline.registerAgency("impostor")
            // Signed with another agency's key, and sent as an agency never registered.
            try await pipeline.submit("referrals", sample: "police-referrals.jsonl", agency: "police", keyFile: try pipeline.relabelledKeyFile(impostor, as: "police"))
            try await pipeline.submit("referrals", sample: "school-referrals.jsonl", agency: "school", keyFile: try pipeline.relabelledKeyFile(police, as: "school"))
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {

                let dead = try await pipeline.consume("referrals.submitted.dlq", count: 5)
                let reasons = dead.map { message in
                    String(decoding: message.headers.first { $0.name == "dlq-reason" }?.value ?? [], as: UTF8.self)
                }
                #expect(reasons.filter { $0.contains("header signature-key") && $0.contains("is not a key of agency police") }.count == 3, "\(reasons)")
                #expect(reasons.filter { $0.contains("school is not a registered agency") }.count == 2, "\(reasons)")
                #expect(try await pipeline.count("SELECT count(*) FROM referral") == 0)
            }
        }
    }

    @Test func evidenceThatWaitedIsSentOnWhenAReferralNamesItsPerson() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {
                try await pipeline.submit("evidence", sample: "police-evidence.jsonl", agency: "police", keyFile: police)
                try await PipelineHarness.eventually("evidence held") { try await pipeline.count("SELECT count(*) FROM unmatched_evidence") == 4 }
                try await pipeline.submit("referrals", sample: "police-referrals.jsonl", agency: "police", keyFile: police)

                // Three of the four records name people these referrals name.
                try await PipelineHarness.eventually("held evidence released") {
                    try await pipeline.count("SELECT count(*) FROM screening_evidence") == 3
                }
                #expect(try await pipeline.count("SELECT count(*) FROM unmatched_evidence") == 1)
                #expect(try await pipeline.texts("SELECT person_id FROM screening_evidence ORDER BY 1").allSatisfy { $0.hasPrefix("P") })
            }
        }
    }

    @Test func aFileWithABadLineIsRefusedWholeNamingLineAndField() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let result = try await pipeline.cli([
                "submit", "referrals", PipelineHarness.samples.appendingPathComponent("referrals-with-errors.jsonl").path,
                "--agency", "police", "--key-file", police,
            ])
            #expect(result.status != 0)
            #expect(result.output.contains("referrals-with-errors.jsonl:1: address.postcode: is not a UK postcode"))
            #expect(result.output.contains("referrals-with-errors.jsonl:2: members[0].dateOfBirth: is missing"))
            #expect(result.output.contains("referrals-with-errors.jsonl:3: members[0].dateOfBirth: is in the future"))
            #expect(result.output.contains("nothing was sent"))
            // The error names the field, never the value it held.
            #expect(!result.output.contains("2099"))
        }
    }

    /// Saved by a spreadsheet or an editor on Windows: a byte-order mark and CRLF line ends.
    @Test func aFileWithAByteOrderMarkAndCRLFLinesIsSentAsEachLineReads() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let lines = try String(contentsOf: PipelineHarness.samples.appendingPathComponent("police-referrals.jsonl"), encoding: .utf8)
                .split(separator: "\n").map { $0 + "\r\n" }
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["screening": 0, "claims": 0]) {
                try await pipeline.submit("referrals", lines: "\u{FEFF}" + lines.joined(), named: "windows.jsonl", agency: "police", keyFile: police)
                try await PipelineHarness.eventually("every referral stored") {
                    try await pipeline.count("SELECT count(*) FROM referral") == lines.count
                }
                #expect(try await pipeline.count("SELECT count(*) FROM dead_letter") == 0)
            }
            let array = try await pipeline.cli(["submit", "referrals", try pipeline.file(named: "array.jsonl", holding: "[{}]\n"), "--agency", "police", "--key-file", police])
            #expect(array.status != 0)
            #expect(array.output.contains("array.jsonl: holds a JSON array; send one JSON object per line"), "\(array.output)")
        }
    }
}
