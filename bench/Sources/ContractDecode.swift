import ArgumentParser
import Contracts
import Foundation
import Vocabulary

/// How fast intake reads what agencies send: referrals and evidence records
/// decoded and checked, in one process, no server.
struct ContractDecode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract-decode", abstract: "Decode and check N referral and N evidence messages as intake reads them.")
    @Option var messages = 200_000

    func run() async throws {
        let sentAt = Date(timeIntervalSince1970: 1_700_000_000)
        let referral = ReferralSubmitted(
            agency: "police", submittedAt: sentAt,
            referral: Referral(
                id: "WYP-2013-0412", address: Address(lines: ["12 Elm Street", "Leeds"], postcode: "LS1 1AA"),
                members: [
                    ReferredPerson(ref: "mother", givenName: "Kerry", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1980-02-14")!),
                    ReferredPerson(ref: "son", givenName: "Dylan", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1998-06-01")!),
                    ReferredPerson(ref: "daughter", givenName: "Chloë", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "2001-03-09")!),
                ],
                reasons: ["youth offending", "school attendance"])
        ).encoded()
        let evidence = EvidenceSubmitted(
            agency: "school", submittedAt: sentAt,
            record: EvidenceReport(
                id: "ATT-1", subject: PersonIdentity(givenName: "Dylan", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1998-06-01")!),
                fact: .attendance(
                    term: SchoolTerm(id: "2013-AU", start: CalendarDate(iso: "2013-09-03")!, end: CalendarDate(iso: "2013-12-20")!),
                    possibleSessions: 150, unauthorisedAbsences: 5, authorisedAbsences: 4))
        ).encoded()
        let elapsed = try ContinuousClock().measure {
            for _ in 0..<messages {
                _ = try ReferralSubmitted.decode(referral)
                _ = try EvidenceSubmitted.decode(evidence)
            }
        }
        Benchmark.report("contract-decode-messages", count: 2 * messages, elapsed: elapsed)

        // What checking each message's signature adds, as intake checks it:
        // an Ed25519 signature alone on each message, and over batches as
        // `turnaround submit` signs (checked once a batch, each message by its
        // path), beside HMAC, which agencies signed with before.
        let pair = AgencySignature.newKey()
        let ed25519 = AgencySignature.Signer.ed25519(keyID: pair.keyID, privateKey: pair.privateKey)
        let ed25519Keys = [AgencySignature.VerifyingKey(id: pair.keyID, algorithm: .ed25519, bytes: pair.publicKey, retiredFrom: nil)]
        let secret = [UInt8](repeating: 7, count: 32)
        let hmacKeys = [AgencySignature.VerifyingKey(id: AgencySignature.hmacKeyID, algorithm: .hmacSHA256, bytes: secret, retiredFrom: nil)]
        // Distinct messages, as a backlog's are.
        let payloads = (0..<messages).map { referral + Array(String(repeating: " ", count: $0 % 7).utf8) + Array("\($0)".utf8) }
        let runs: [(String, [[(name: String, value: [UInt8])]], [AgencySignature.VerifyingKey])] = [
            ("contract-verify-ed25519-each", payloads.map { AgencySignature.headers(signing: $0, with: ed25519) }, ed25519Keys),
            ("contract-verify-ed25519-batched", AgencySignature.headers(signing: payloads, with: ed25519), ed25519Keys),
            ("contract-verify-hmac", AgencySignature.headers(signing: payloads, with: .hmac(secret: secret)), hmacKeys),
        ]
        for (name, signatures, keys) in runs {
            let now = Date()
            var checked = AgencySignature.CheckedBatches()
            let verified = try ContinuousClock().measure {
                for (payload, headers) in zip(payloads, signatures) {
                    try AgencySignature.verify(
                        signature: headers.first { $0.name == AgencySignature.header }?.value,
                        keyID: headers.first { $0.name == AgencySignature.keyHeader }?.value,
                        path: headers.first { $0.name == AgencySignature.pathHeader }?.value, payload: payload, agency: "police", keys: keys, at: now,
                        checked: &checked)
                }
            }
            Benchmark.report(name, count: messages, elapsed: verified)
        }
    }
}
