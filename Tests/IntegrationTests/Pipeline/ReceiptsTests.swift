import Contracts
import Digest
import Foundation
import IntegrationSupport
import Kafka
import Testing

/// Agencies no longer submit into silence: intake answers every message
/// with a receipt, kept and sent back, naming no one.
@Suite(.startsProcesses, .takesAProcessSlot) struct ReceiptsTests {
    static func sample(_ name: String) throws -> [String] {
        try String(contentsOf: PipelineHarness.samples.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func everyMessageAnAgencySendsIsAnsweredWithAReceiptThatNamesNoOne() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let school = try await pipeline.registerAgency("school")
            let gone = try await pipeline.registerAgency("gone")
            #expect(try await pipeline.cli(["agency", "retire", "gone"]).status == 0)
            let policeReferrals = try Self.sample("police-referrals.jsonl")
            func submit(_ kind: String, _ lines: [String], named name: String, as agency: String, key: String) async throws -> (status: Int32, output: String) {
                try await pipeline.cli(
                    ["submit", kind, try pipeline.file(named: name, holding: lines.joined(separator: "\n")), "--agency", agency, "--key-file", key, "--wait"])
            }

            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["screening": 0, "claims": 0]) {
                // Evidence about someone nobody referred yet is held, then released once a referral names them.
                let offence = try Self.sample("police-evidence.jsonl")[0]
                let held = try await submit("evidence", [offence], named: "offence.jsonl", as: "police", key: police)
                #expect(held.status == 0 && held.output.contains("offence.jsonl:1: held: no referral names its person yet"), "\(held.output)")

                let receiptsFile = pipeline.folder.appendingPathComponent("police-receipts.csv")
                let accepted = try await pipeline.cli(
                    [
                        "submit", "referrals", try pipeline.file(named: "police.jsonl", holding: policeReferrals.joined(separator: "\n")),
                        "--agency", "police", "--key-file", police, "--wait", "--receipts-file", receiptsFile.path,
                    ])
                #expect(accepted.status == 0, "\(accepted.output)")
                let written = try String(contentsOf: receiptsFile, encoding: .utf8).split(separator: "\n")
                #expect(written.first == "line,verdict,item_id,family_id,members,detail,event_id", "\(written)")
                #expect(written.dropFirst().map { $0.split(separator: ",").prefix(3).joined(separator: ",") }
                    == ["1,accepted,WYP-2013-0412", "2,accepted,WYP-2013-0519", "3,accepted,WYP-2013-0530"], "\(written)")
                #expect(accepted.output.contains("police.jsonl:1: accepted: registered a new family (family "), "\(accepted.output)")
                #expect(accepted.output.contains("; members P1,P2)"), "\(accepted.output)")
                #expect(accepted.output.contains("receipts: 3 receipts: 3 accepted"), "\(accepted.output)")
                try await PipelineHarness.eventually("the held record released") {
                    try await pipeline.texts("SELECT item_id || ' ' || member_labels FROM receipt WHERE verdict = 'released'")
                        == ["OFF-1001 P2"]
                }

                // The school names the Brennans' mother: its referral joins her family.
                let joined = try await submit("referrals", try Self.sample("school-referrals.jsonl"), named: "school.jsonl", as: "school", key: school)
                #expect(joined.output.contains("school.jsonl:1: accepted: joined the family of people it names"), "\(joined.output)")

                // The same id again: the same content is a repeat, other content a conflict; either way nothing changes.
                let conflicting = policeReferrals[1].replacingOccurrences(of: #""reasons":["#, with: #""reasons":["worklessness","#)
                let again = try await submit("referrals", [policeReferrals[0], conflicting], named: "again.jsonl", as: "police", key: police)
                #expect(again.status == 1, "\(again.output)")
                #expect(again.output.contains("again.jsonl:1: repeated: received before with the same content: nothing changed"), "\(again.output)")
                #expect(again.output.contains("again.jsonl:2: conflicting: received before with other content"), "\(again.output)")
                #expect(try await pipeline.count("SELECT count(*) FROM referral") == 5)

                // A retired agency's lines are refused, and --wait says so with exit 1.
                let retired = try await submit("referrals", [policeReferrals[2]], named: "retired.jsonl", as: "gone", key: gone)
                #expect(retired.status == 1 && retired.output.contains("retired.jsonl:1: refused: agency: gone is not a registered agency, or is retired"), "\(retired.output)")

                // Messages that break their contract or their signature, sent past the CLI, are refused with the reason.
                let frame = SubmissionFrame<ReferralSubmitted>(agency: "police", submittedAt: Date())
                let unknownField = frame.message(around: Array(policeReferrals[2].replacingOccurrences(of: #""id":"#, with: #""extra_field":1,"id":"#).utf8))
                let producer = try KafkaProducer(configuration: pipeline.kafka, logger: TestEnvironment.logger)
                let raw: [(id: String, payload: [UInt8], signature: [KafkaHeader])] = [
                    ("3d1c2a9e-0b7f-4f8e-9a51-2f6f3c1d0a01", unknownField, try PipelineHarness.signatureHeaders(unknownField, keyFile: police)),
                    ("3d1c2a9e-0b7f-4f8e-9a51-2f6f3c1d0a02", frame.message(around: Array(policeReferrals[2].utf8)), try PipelineHarness.signatureHeaders([1], keyFile: police)),
                ]
                for message in raw {
                    _ = try await producer.send(
                        KafkaOutgoingMessage(
                            topic: pipeline.prefix + "referrals.submitted", key: Array("police/x".utf8), value: message.payload,
                            headers: [.eventID(message.id)] + message.signature))
                }
                await producer.shutdown()
                try await PipelineHarness.eventually("both raw messages refused") {
                    try await pipeline.count("SELECT count(*) FROM receipt WHERE event_id LIKE '3d1c2a9e-%' AND verdict = 'refused'") == 2
                }
                let reasons = try await pipeline.texts(
                    "SELECT agency_id || ' ' || coalesce(item_id, '-') || ' ' || detail FROM receipt WHERE event_id LIKE '3d1c2a9e-%' ORDER BY event_id")
                #expect(reasons[0] == "police WYP-2013-0530 referral.extra_field: is not a field of referral.submitted v1", "\(reasons)")
                #expect(reasons[1].hasPrefix("police WYP-2013-0530 header signature: does not match"), "\(reasons)")

                // The agency reads its receipts later, with its key; another key is refused.
                let listed = try await pipeline.cli(["receipts", "--agency", "police", "--key-file", police, "--format", "json"])
                #expect(listed.status == 0, "\(listed.output)")
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.output)")
                var verdicts: [String: Int] = [:]
                for row in rows { verdicts[row["verdict"] as? String ?? "?", default: 0] += 1 }
                #expect(verdicts == ["held": 1, "accepted": 3, "released": 1, "repeated": 1, "conflicting": 1, "refused": 2], "\(verdicts)")
                let wrongKey = try await pipeline.cli(["receipts", "--agency", "police", "--key-file", school])
                #expect(wrongKey.status == 1 && wrongKey.output.contains("holds agency school's key, not agency police's"), "\(wrongKey.output)")
                let relabelled = try pipeline.relabelledKeyFile(school, as: "police")
                let forged = try await pipeline.cli(["receipts", "--agency", "police", "--key-file", relabelled])
                #expect(forged.status == 1 && forged.output.contains("the key given does not sign as agency police: header signature-key:"), "\(forged.output)")

                // No receipt, in the table or on the topic, holds a name, a date of birth or an address.
                let personal = try Self.personalData(in: ["police-referrals.jsonl", "school-referrals.jsonl", "police-evidence.jsonl"])
                let stored = try await pipeline.texts("SELECT row_to_json(receipt)::text FROM receipt")
                #expect(stored.count == 12)
                // Sent a message a batch and agency: each receipt once.
                let messages = try await pipeline.consume("receipts", count: try await pipeline.emitted(to: "receipts"))
                let sent = try messages.flatMap { try ReceiptsIssued.decode($0.value).receipts }.map(ContractJSON.encode)
                #expect(sent.count == stored.count)
                for text in stored + sent {
                    for value in personal { #expect(!text.contains(value), "a receipt holds \(value): \(text)") }
                }
            }
        }
    }

    /// The names, dates of birth and address lines in sample files.
    static func personalData(in files: [String]) throws -> Set<String> {
        var values: Set<String> = []
        for file in files {
            for line in try sample(file) {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                func collect(_ value: Any, key: String?) {
                    if let object = value as? [String: Any] {
                        for (key, value) in object { collect(value, key: key) }
                    } else if let list = value as? [Any] {
                        for value in list { collect(value, key: key) }
                    } else if let text = value as? String, ["givenName", "familyName", "dateOfBirth", "lines", "postcode"].contains(key) {
                        values.insert(text)
                    }
                }
                collect(object, key: nil)
            }
        }
        return values
    }
}
