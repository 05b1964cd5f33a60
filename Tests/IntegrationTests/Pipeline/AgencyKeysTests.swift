import Contracts
import Digest
import Foundation
import IntegrationSupport
import Kafka
import Postgres
import Store
import Testing

/// Agencies sign with Ed25519 keys only they hold: what intake keeps can
/// check a signature but never make one, keys change without retiring the
/// agency, and a retired key is refused by its id.
@Suite(.startsProcesses, .takesAProcessSlot) struct AgencyKeysTests {
    /// A referral of a family of one, the `number`th, unlike every other.
    static func referral(_ number: Int) -> String {
        let names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett"]
        return #"{"id":"KEY-\#(number)","address":{"lines":["\#(number) Key Street","Leeds"],"postcode":"LS\#(number) 9KK"},"#
            + #""members":[{"ref":"mother","givenName":"\#(names[number])","familyName":"\#(names[number])son","dateOfBirth":"19\#(70 + number)-03-0\#(1 + number % 9)"}],"#
            + #""reasons":["youth offending"]}"#
    }

    /// Sends a referral of agency police straight to the topic, past the CLI,
    /// with the headers `sign` gives its bytes.
    static func send(
        _ line: String, eventID: String, pipeline: PipelineHarness, sign: ([UInt8]) throws -> [KafkaHeader]
    ) async throws {
        let payload = SubmissionFrame<ReferralSubmitted>(agency: "police", submittedAt: Date()).message(around: Array(line.utf8))
        let producer = try KafkaProducer(configuration: pipeline.kafka, logger: TestEnvironment.logger)
        _ = try await producer.send(
            KafkaOutgoingMessage(
                topic: pipeline.prefix + "referrals.submitted", key: Array("police/KEY".utf8), value: payload,
                headers: [.eventID(eventID)] + (try sign(payload))))
        await producer.shutdown()
    }

    static func kafkaHeaders(_ headers: [(name: String, value: [UInt8])]) -> [KafkaHeader] {
        headers.map { KafkaHeader(name: $0.name, value: $0.value) }
    }

    @Test func intakeChecksSignaturesWithPublicKeysAloneAndKeysChangeWithoutRetiringTheAgency() async throws {
        try await PipelineHarness.with { pipeline in
            let police = try await pipeline.registerAgency("police")
            let school = try await pipeline.registerAgency("school")
            let policeKey = try AgencyKeyFileText.read(try String(contentsOfFile: police, encoding: .utf8))
            guard case .ed25519(let policeKeyID, let policePrivate) = policeKey.signer,
                case .ed25519(let schoolKeyID, _) = try AgencyKeyFileText.read(try String(contentsOfFile: school, encoding: .utf8)).signer
            else { throw PipelineHarness.Failure("agency add wrote no Ed25519 key") }

            // Postgres holds the public key alone.
            let stored = try await pipeline.pool.withConnection { connection in
                try connection.query("SELECT key_id, key_bytes FROM agency_key WHERE agency_id = 'police'").decode((String, Data).self)
            }
            #expect(stored.count == 1 && stored[0].0 == policeKeyID)
            let publicKey = [UInt8](stored[0].1)
            #expect(publicKey == Ed25519.publicKey(of: policePrivate) && publicKey != policePrivate)

            let sent = try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["screening": 0, "claims": 0]) {
                func receipt(_ eventID: String) async throws -> String {
                    try await PipelineHarness.eventually("a receipt for \(eventID)") {
                        try await pipeline.count("SELECT count(*) FROM receipt WHERE event_id = \(eventID)") > 0
                    }
                    return try await pipeline.texts("SELECT verdict || ': ' || detail FROM receipt WHERE event_id = \(eventID)").joined(separator: "\n")
                }
                // The bytes Postgres holds, used to sign as an HMAC secret or as if they were the private key.
                try await Self.send(Self.referral(0), eventID: "aa000000-0000-4000-8000-000000000001", pipeline: pipeline) {
                    Self.kafkaHeaders(AgencySignature.headers(signing: $0, with: .hmac(secret: publicKey)))
                }
                try await Self.send(Self.referral(1), eventID: "aa000000-0000-4000-8000-000000000002", pipeline: pipeline) {
                    Self.kafkaHeaders(AgencySignature.headers(signing: $0, with: .ed25519(keyID: policeKeyID, privateKey: publicKey)))
                }
                #expect(try await receipt("aa000000-0000-4000-8000-000000000001") == "refused: header signature: agency police has no HMAC key: it signs with Ed25519")
                #expect(
                    try await receipt("aa000000-0000-4000-8000-000000000002")
                        == "refused: header signature: does not match the message and key \(policeKeyID) of agency police")

                // The school's own key, on a message that says it is from the police.
                let claimed = SubmissionFrame<ReferralSubmitted>(agency: "police", submittedAt: Date()).message(around: Array(Self.referral(2).utf8))
                let schoolHeaders = try PipelineHarness.signatureHeaders(claimed, keyFile: school)
                let replayed = try PipelineHarness.signatureHeaders(claimed, keyFile: police)
                let sender = try KafkaProducer(configuration: pipeline.kafka, logger: TestEnvironment.logger)
                for (eventID, headers) in [
                    ("aa000000-0000-4000-8000-000000000003", schoolHeaders),
                    // The police's own message, then the same message again twice: with its id, and with another.
                    ("aa000000-0000-4000-8000-000000000004", replayed), ("aa000000-0000-4000-8000-000000000004", replayed),
                    ("aa000000-0000-4000-8000-000000000005", replayed),
                ] {
                    _ = try await sender.send(
                        KafkaOutgoingMessage(
                            topic: pipeline.prefix + "referrals.submitted", key: Array("police/KEY".utf8), value: claimed, headers: [.eventID(eventID)] + headers))
                }
                await sender.shutdown()
                #expect(try await receipt("aa000000-0000-4000-8000-000000000003") == "refused: header signature-key: \(schoolKeyID) is not a key of agency police")
                #expect(try await receipt("aa000000-0000-4000-8000-000000000004").hasPrefix("accepted: registered a new family"))
                #expect(try await receipt("aa000000-0000-4000-8000-000000000005") == "repeated: received before with the same content: nothing changed")
                #expect(try await pipeline.count("SELECT count(*) FROM referral WHERE agency_id = 'police'") == 1)

                // A second key, valid at once beside the first.
                let second = pipeline.folder.appendingPathComponent("police-2.key").path
                let added = try await pipeline.cli(["agency", "keys", "add", "police", "--key-file", second])
                #expect(added.status == 0 && added.output.contains("agency police has the new key "), "\(added.output)")
                func submit(_ number: Int, with keyFile: String) async throws -> (status: Int32, output: String) {
                    try await pipeline.cli(
                        ["submit", "referrals", try pipeline.file(named: "key-\(number).jsonl", holding: Self.referral(number)), "--agency", "police",
                         "--key-file", keyFile, "--wait"])
                }
                for (number, keyFile) in [(3, police), (4, second)] {
                    let submitted = try await submit(number, with: keyFile)
                    #expect(submitted.status == 0 && submitted.output.contains("key-\(number).jsonl:1: accepted"), "\(submitted.output)")
                }
                // The first key retired from a date to come: both still good until then.
                let third = pipeline.folder.appendingPathComponent("police-3.key").path
                #expect(try await pipeline.cli(["agency", "keys", "add", "police", "--key-file", third]).status == 0)
                let secondKeyID = try #require(
                    try AgencyKeyFileText.read(try String(contentsOfFile: second, encoding: .utf8)).signer.keyID)
                let later = try await pipeline.cli(["agency", "keys", "retire", "police", secondKeyID, "--from", "2099-01-01"])
                #expect(later.status == 0 && later.output.contains("is refused from 2099-01-01T00:00:00.000Z"), "\(later.output)")
                let stillGood = try await submit(5, with: second)
                #expect(stillGood.status == 0 && stillGood.output.contains("key-5.jsonl:1: accepted"), "\(stillGood.output)")
                // The first key retired from a time past: refused by its id.
                let retired = try await pipeline.cli(["agency", "keys", "retire", "police", policeKeyID])
                #expect(retired.status == 0, "\(retired.output)")
                let refused = try await submit(6, with: police)
                #expect(
                    refused.status == 1 && refused.output.contains("key-6.jsonl:1: refused: header signature-key: key \(policeKeyID) of agency police was retired at"),
                    "\(refused.output)")
                #expect(!refused.output.contains(Hex.encode(policePrivate)) && !refused.output.contains(Hex.encode(publicKey)))

                let listed = try await pipeline.cli(["agency", "keys", "list", "police", "--format", "csv"])
                let statuses = listed.output.split(separator: "\n").dropFirst().compactMap { line in
                    line.split(separator: ",").first.map { "\($0) \(line.split(separator: ",").last ?? "")" }
                }
                #expect(Set(statuses) == ["\(policeKeyID) retired", "\(secondKeyID) retiring", "\(try #require(try AgencyKeyFileText.read(try String(contentsOfFile: third, encoding: .utf8)).signer.keyID)) in use"], "\(listed.output)")

                // The receipts are the agency's to read with a key in use, never with a retired one.
                #expect(try await pipeline.cli(["receipts", "--agency", "police", "--key-file", third]).status == 0)
                let oldKey = try await pipeline.cli(["receipts", "--agency", "police", "--key-file", police])
                #expect(oldKey.status != 0 && oldKey.output.contains("was retired at"), "\(oldKey.output)")
                let schoolAsPolice = try await pipeline.cli(["receipts", "--agency", "police", "--key-file", school])
                #expect(schoolAsPolice.status != 0 && schoolAsPolice.output.contains("holds agency school's key, not agency police's"), "\(schoolAsPolice.output)")

                // A key due to be retired later is retired sooner when it must be (it leaked).
                let sooner = try await pipeline.cli(["agency", "keys", "retire", "police", secondKeyID])
                #expect(sooner.status == 0 && !sooner.output.contains("2099"), "\(sooner.output)")
                let leaked = try await submit(7, with: second)
                #expect(leaked.status == 1 && leaked.output.contains("key \(secondKeyID) of agency police was retired at"), "\(leaked.output)")

                let again = try await pipeline.cli(["agency", "keys", "retire", "police", policeKeyID])
                #expect(again.status != 0 && again.output.contains("is retired already"), "\(again.output)")
                let unknown = try await pipeline.cli(["agency", "keys", "retire", "police", "0123456789abcdef"])
                #expect(unknown.status != 0 && unknown.output.contains("agency police has no key 0123456789abcdef"), "\(unknown.output)")
                // A key for an agency that is not there is not kept, nor its file.
                let stray = pipeline.folder.appendingPathComponent("nobody.key").path
                let nobody = try await pipeline.cli(["agency", "keys", "add", "nobody", "--key-file", stray])
                #expect(nobody.status != 0 && nobody.output.contains("no active agency nobody is registered"), "\(nobody.output)")
                #expect(!FileManager.default.fileExists(atPath: stray))
            }
            // No private key reached a log line.
            for (stage, output) in sent {
                #expect(!output.contains(Hex.encode(policePrivate)), "\(stage)")
            }
        }
    }

    /// Agencies registered before Ed25519 keep their HMAC secret as the key
    /// `hmac` until it is retired, which erases it.
    @Test func anHMACAgencyKeepsSendingUntilItIsGivenAnEd25519KeyAndItsSecretIsErased() async throws {
        try await PipelineHarness.with { pipeline in
            let secret = AgencySignature.newKey().privateKey
            try await pipeline.pool.withConnection { connection in
                try connection.execute("INSERT INTO agency (agency_id, name) VALUES ('police', 'police')")
                try connection.execute(
                    "INSERT INTO agency_key (agency_id, key_id, algorithm, key_bytes) VALUES ('police', 'hmac', 'hmac-sha256', \(Data(secret)))")
            }
            let legacy = try pipeline.file(named: "police-hmac.key", holding: Hex.encode(secret) + "\n")
            let ed25519 = pipeline.folder.appendingPathComponent("police.key").path
            func submit(_ number: Int, with keyFile: String) async throws -> (status: Int32, output: String) {
                try await pipeline.cli(
                    ["submit", "referrals", try pipeline.file(named: "key-\(number).jsonl", holding: Self.referral(number)), "--agency", "police",
                     "--key-file", keyFile, "--wait"])
            }
            _ = try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["screening": 0, "claims": 0]) {
                #expect(try await submit(0, with: legacy).status == 0)
                #expect(try await pipeline.cli(["agency", "keys", "add", "police", "--key-file", ed25519]).status == 0)
                #expect(try await submit(1, with: ed25519).status == 0)
                #expect(try await submit(2, with: legacy).status == 0)
                let retired = try await pipeline.cli(["agency", "keys", "retire", "police", "hmac", "--from", "2099-01-01"])
                #expect(retired.status == 0 && !retired.output.contains("2099"), "an HMAC key is retired at once: \(retired.output)")
                #expect(try await pipeline.count("SELECT count(*) FROM agency_key WHERE key_id = 'hmac' AND key_bytes IS NULL") == 1)
                let refused = try await submit(3, with: legacy)
                #expect(refused.status == 1 && refused.output.contains("refused: header signature: key hmac of agency police was retired at"), "\(refused.output)")
                #expect(try await submit(4, with: ed25519).status == 0)
            }
        }
    }

    /// The migration moves each agency's HMAC secret to its key `hmac`, and a
    /// retired agency's secret nowhere.
    @Test func theMigrationMovesEachHMACSecretToTheKeyHMAC() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let runner = MigrationRunner(pool: pool, logger: TestEnvironment.logger)
            let bundled = try Migration.bundled()
            try await runner.apply(bundled.filter { $0.stage == nil && $0.version < 18 })
            let secret = [UInt8](repeating: 9, count: 32)
            try await pool.withConnection { connection in
                try connection.execute(
                    "INSERT INTO agency (agency_id, name, signing_key) VALUES ('police', 'Police', \(Data(secret))), ('gone', 'Gone', \(Data(secret)))")
                try connection.execute("UPDATE agency SET retired_at = now() WHERE agency_id = 'gone'")
            }
            try await runner.apply(bundled)
            let keys = try await pool.withConnection { try AgencyKeyTable.of(agency: "police", on: $0) + AgencyKeyTable.of(agency: "gone", on: $0) }
            #expect(keys.map(\.keyID) == ["hmac", "hmac"] && keys.map(\.algorithm) == ["hmac-sha256", "hmac-sha256"])
            #expect(keys[0].keyBytes == secret && keys[0].retiredFrom == nil)
            #expect(keys[1].keyBytes == nil && keys[1].retiredFrom != nil)
            let columns = try await pool.withConnection { connection in
                try connection.query("SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'agency'::regclass AND attname = 'signing_key' AND NOT attisdropped").decode(Int.self)
            }
            #expect(columns == [0])
            // Retiring an agency retires its keys, and erases an HMAC secret.
            #expect(try await pool.withConnection { try AgencyTable.retire(id: "police", on: $0) } == .retired)
            let retired = try await pool.withConnection { try AgencyKeyTable.of(agency: "police", on: $0) }
            #expect(retired.map(\.keyBytes) == [nil] && retired.allSatisfy { $0.retiredFrom != nil })
        }
    }
}

extension AgencySignature.Signer {
    var keyID: String? {
        if case .ed25519(let keyID, _) = self { return keyID }
        return nil
    }
}
