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
    }
}
