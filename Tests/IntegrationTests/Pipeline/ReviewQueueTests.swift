import Contracts
import Foundation
import IntegrationSupport
import Kafka
import Testing
import Vocabulary

/// Matches that are not exact go on a review queue, never merged by
/// themselves; a co-ordinator merges two families into one, and screening
/// and claims follow: the people and their evidence move, and the family
/// kept is decided once more.
@Suite(.startsProcesses, .takesAProcessSlot) struct ReviewQueueTests {
    static func sample(_ name: String, matching: String) throws -> [String] {
        try String(contentsOf: PipelineHarness.samples.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { $0.contains(matching) }
    }

    /// The school's referral misspells the Brennans' mother (Kery for Kerry)
    /// and gives a new address: a family of its own, and an item for review.
    static let schoolReferral = #"""
        {"id":"LCC-EDU-7781","address":{"lines":["Flat 2, 40 Chapel Road","Leeds"],"postcode":"LS7 3CD"},"members":[{"ref":"pupil","givenName":"Chloe","familyName":"Brennan","dateOfBirth":"2003-09-10"},{"ref":"parent","givenName":"Kery","familyName":"Brennan","dateOfBirth":"1980-02-14"}],"reasons":["school attendance"]}
        """#

    @Test func aNearMatchWaitsForACoordinatorAndAMergeMovesPeopleAndEvidenceAndDecidesTheFamilyOnce() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let school = try await pipeline.registerAgency("school")
            let dwp = try await pipeline.registerAgency("dwp")
            func submit(_ kind: String, _ lines: [String], named name: String, as agency: String, key: String) async throws -> String {
                let result = try await pipeline.cli(
                    ["submit", kind, try pipeline.file(named: name, holding: lines.joined(separator: "\n")), "--agency", agency, "--key-file", key, "--wait"])
                #expect(result.status == 0, "\(result.output)")
                return result.output
            }
            func family(of referral: String) async throws -> String {
                try await pipeline.texts("SELECT family_id::text FROM referral WHERE referral_id = \(referral)")[0]
            }
            func decisions(of family: String) async throws -> Int {
                try await pipeline.count("SELECT count(*) FROM eligibility_decision WHERE family_id = \(family)::uuid")
            }

            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {
                _ = try await submit("referrals", try Self.sample("police-referrals.jsonl", matching: "WYP-2013-0412"), named: "police.jsonl", as: "police", key: police)
                let raised = try await submit("referrals", [Self.schoolReferral], named: "school.jsonl", as: "school", key: school)
                #expect(raised.contains("registered a new family; put on the review queue: it may be a family intake already knows"), "\(raised)")
                let kept = try await family(of: "WYP-2013-0412")
                let merged = try await family(of: "LCC-EDU-7781")
                #expect(kept != merged)

                // The Brennans' offending and their mother's benefits are the first family's; Chloe's absences the second's.
                _ = try await submit("evidence", try Self.sample("police-evidence.jsonl", matching: "OFF-1001"), named: "offence.jsonl", as: "police", key: police)
                _ = try await submit("evidence", try Self.sample("dwp-evidence.jsonl", matching: "BEN-K-1"), named: "benefit.jsonl", as: "dwp", key: dwp)
                _ = try await submit("evidence", try Self.sample("school-evidence.jsonl", matching: "Chloe"), named: "attendance.jsonl", as: "school", key: school)
                try await PipelineHarness.eventually("both families decided on all their evidence, neither eligible") {
                    let evidence = try await pipeline.count("SELECT count(*) FROM screening_evidence")
                    let pending = try await pipeline.count("SELECT count(*) FROM screening_pending")
                    let notEligible = try await pipeline.count("SELECT count(DISTINCT family_id) FROM eligibility_decision WHERE NOT is_eligible")
                    return evidence == 5 && pending == 0 && notEligible == 2
                }
                let decidedBefore = try await decisions(of: kept)
                let mergedDecidedBefore = try await decisions(of: merged)

                // The queue names the two families and how their people compare, never the people.
                let listed = try await pipeline.cli(["review", "list", "--format", "json"])
                #expect(listed.status == 0, "\(listed.output)")
                let items = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.output)")
                #expect(items.count == 1)
                #expect(items.first?["reason"] as? String == "near-match")
                #expect(items.first?["family_id"] as? String == merged && items.first?["other_family_id"] as? String == kept)
                #expect(items.first?["detail"] as? String == "new member P2 of this family and member P1 of the other: names 1 letter apart, the same date of birth")
                let stored = try await pipeline.texts("SELECT concat_ws(' ', reason, detail, agency_id, referral_id) FROM review_item")
                for personal in ["Brennan", "Kerry", "Kery", "Chloe", "1980-02-14", "Chapel", "LS7"] {
                    #expect(!listed.output.contains(personal) && !stored.joined().contains(personal), "\(personal) in \(listed.output) \(stored)")
                }
                let forReview = try await pipeline.cli(["families", "--needs-review", "--ids-only"])
                #expect(Set(forReview.output.split(separator: "\n").map(String.init)) == [kept, merged], "\(forReview.output)")

                let dryRun = try await pipeline.cli(["review", "merge", merged, "--into", kept, "--by", "coordinator-1", "--dry-run"])
                #expect(dryRun.status == 0 && dryRun.output.contains("would merge"), "\(dryRun.output)")
                #expect(try await pipeline.count("SELECT count(*) FROM family_merge") == 0)

                let merge = try await pipeline.cli(["review", "merge", merged, "--into", kept, "--by", "coordinator-1"])
                #expect(merge.status == 0, "\(merge.output)")
                #expect(merge.output.contains("members P1 → P3, P2 → P4; 1 referral(s) moved; review item(s) 1 resolved"), "\(merge.output)")

                // Intake: one family, the second's people relabelled in the first, its referral with them.
                #expect(try await pipeline.texts("SELECT member_label FROM person WHERE family_id = \(kept)::uuid ORDER BY member_label") == ["P1", "P2", "P3", "P4"])
                #expect(try await pipeline.count("SELECT count(*) FROM person WHERE family_id = \(merged)::uuid") == 0)
                #expect(try await family(of: "LCC-EDU-7781") == kept)
                #expect(try await pipeline.texts("SELECT resolution || ' by ' || resolved_by FROM review_item") == ["merged by coordinator-1"])

                // Screening and claims: the evidence moves with its people, and the family kept is decided once more: eligible now.
                try await PipelineHarness.eventually("the family kept decided again, and claims told") {
                    let decided = try await decisions(of: kept)
                    let pending = try await pipeline.count("SELECT count(*) FROM screening_pending")
                    let told = try await pipeline.count("SELECT count(*) FROM claims_family WHERE family_id = \(kept)::uuid AND decision_revision = \(decidedBefore + 1)")
                    let moved = try await pipeline.count("SELECT count(*) FROM claims_evidence WHERE family_id = \(kept)::uuid")
                    return decided == decidedBefore + 1 && pending == 0 && told == 1 && moved == 5
                }
                #expect(try await decisions(of: kept) == decidedBefore + 1)
                #expect(try await decisions(of: merged) == mergedDecidedBefore)
                #expect(try await pipeline.texts("SELECT is_eligible::text || ' ' || array_to_string(member_ids, ',') FROM eligibility_decision WHERE family_id = \(kept)::uuid AND revision = \(decidedBefore + 1)")
                    == ["true P1,P2,P3,P4"])
                #expect(try await pipeline.texts("SELECT DISTINCT person_id FROM screening_evidence WHERE evidence_id LIKE 'school/%'") == ["P3"])
                #expect(try await pipeline.count("SELECT count(*) FROM screening_family WHERE family_id = \(merged)::uuid") == 0)
                #expect(try await pipeline.texts("SELECT merged_into::text FROM claims_family WHERE family_id = \(merged)::uuid") == [kept])
                let listedAfter = try await pipeline.cli(["families", "--ids-only"])
                #expect(listedAfter.output.split(separator: "\n").map(String.init) == [kept], "\(listedAfter.output)")

                // Evidence sent from now on about the school's parent (P2 there, P4 now) reaches the family kept; a second merge is refused.
                let spell = #"{"id":"BEN-KY-1","subject":{"givenName":"Kery","familyName":"Brennan","dateOfBirth":"1980-02-14"},"fact":{"kind":"benefitSpell","benefit":"JSA","from":"2012-01-02"}}"#
                let after = try await submit("evidence", [spell], named: "after.jsonl", as: "dwp", key: dwp)
                #expect(after.contains("matched to member P4 of the family (family \(kept)"), "\(after)")
                // Messages about the merged family already on their way when it was merged land on the family kept, relabelled.
                let producer = try KafkaProducer(configuration: pipeline.kafka, logger: TestEnvironment.logger)
                let late = EvidenceRecorded(
                    familyID: UUID(uuidString: merged)!, evidenceID: "police/LATE-1", personID: "P2",
                    fact: .offence(date: CalendarDate(iso: "2013-04-01")!, proven: true), recordedAt: Date())
                let lateAttachment = FamilyAttached(
                    familyID: UUID(uuidString: merged)!, attachedOn: CalendarDate(iso: "2013-09-16")!, keyworker: "kw-late", recordedBy: "coordinator-1",
                    recordedAt: Date())
                for (topic, payload) in [("evidence.recorded", late.encoded()), ("families.attached", lateAttachment.encoded())] {
                    _ = try await producer.send(
                        KafkaOutgoingMessage(topic: pipeline.prefix + topic, key: Array(merged.utf8), value: payload, headers: [.newEventID()]))
                }
                await producer.shutdown()
                try await PipelineHarness.eventually("the late messages applied to the family kept") {
                    let screening = try await pipeline.texts("SELECT family_id::text || ' ' || person_id FROM screening_evidence WHERE evidence_id = 'police/LATE-1'")
                    let claims = try await pipeline.texts("SELECT family_id::text || ' ' || person_id FROM claims_evidence WHERE evidence_id = 'police/LATE-1'")
                    let attached = try await pipeline.texts("SELECT family_id::text FROM claims_family WHERE keyworker = 'kw-late'")
                    return screening == ["\(kept) P4"] && claims == ["\(kept) P4"] && attached == [kept]
                }
                #expect(try await pipeline.count("SELECT count(*) FROM screening_family WHERE family_id = \(merged)::uuid") == 0)

                let attach = try await pipeline.cli(
                    ["attach", merged, "--on", "2013-09-16", "--keyworker", "kw-1", "--by", "coordinator-1", "--force", "--reason", "case conference"])
                #expect(attach.status == 1 && attach.output.contains("family \(merged) was merged into \(kept): attach that family"), "\(attach.output)")
                let again = try await pipeline.cli(["review", "merge", merged, "--into", kept, "--by", "coordinator-1"])
                #expect(again.status == 1 && again.output.contains("family \(merged) was merged into \(kept) already"), "\(again.output)")
            }
        }
    }

    @Test func aDismissedPairStaysTwoAndIsNotAskedAboutAgain() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let referral = { (id: String, born: String, street: String) in
                #"{"id":"\#(id)","address":{"lines":["\#(street)","Leeds"],"postcode":"LS9 8ZZ"},"members":[{"ref":"parent","givenName":"Dawn","familyName":"Walsh","dateOfBirth":"\#(born)"}],"reasons":["worklessness"]}"#
            }
            // Day and month of birth swapped, at another address.
            let lines = [referral("R-1", "1985-07-04", "1 Oak Road"), referral("R-2", "1985-04-07", "2 Ash Road")]
            try await pipeline.submit("referrals", lines: lines.joined(separator: "\n"), named: "dawn.jsonl", agency: "police", keyFile: police)
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["screening": 0, "claims": 0]) {
                try await PipelineHarness.eventually("both referrals matched") { try await pipeline.count("SELECT count(*) FROM referral") == 2 }
                #expect(try await pipeline.texts("SELECT detail FROM review_item")
                    == ["new member P1 of this family and member P1 of the other: the same names, day and month of birth swapped"])
                let item = try await pipeline.count("SELECT item_id FROM review_item")

                let refused = try await pipeline.cli(["review", "dismiss", "999", "--by", "coordinator-2"])
                #expect(refused.status == 1 && refused.output.contains("there is no review item 999"), "\(refused.output)")
                let dismissed = try await pipeline.cli(["review", "dismiss", "\(item)", "--by", "coordinator-2", "--reason", "checked with the school: sisters"])
                #expect(dismissed.status == 0 && dismissed.output.contains("dismissed review item \(item)"), "\(dismissed.output)")
                let twice = try await pipeline.cli(["review", "dismiss", "\(item)", "--by", "coordinator-2"])
                #expect(twice.status == 1 && twice.output.contains("was dismissed already, by coordinator-2"), "\(twice.output)")

                // A third referral naming the second Dawn with a spelling slip raises no second item for the pair.
                try await pipeline.submit(
                    "referrals", lines: referral("R-3", "1985-04-07", "2 Ash Road").replacingOccurrences(of: "R-3\",", with: "R-3\",")
                        .replacingOccurrences(of: "Dawn", with: "Dawne"), named: "dawne.jsonl", agency: "police", keyFile: police)
                try await PipelineHarness.eventually("the third referral matched") { try await pipeline.count("SELECT count(*) FROM referral") == 3 }
                #expect(try await pipeline.count("SELECT count(*) FROM review_item") == 1)
                let open = try await pipeline.cli(["review", "list"])
                #expect(open.output.contains("0 open review items"), "\(open.output)")
                let all = try await pipeline.cli(["review", "list", "--all", "--format", "csv"])
                #expect(all.output.contains("dismissed,coordinator-2,"), "\(all.output)")
                #expect(all.output.contains("checked with the school: sisters"), "\(all.output)")
            }
        }
    }
}
