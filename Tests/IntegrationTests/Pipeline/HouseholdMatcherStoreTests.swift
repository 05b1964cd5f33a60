import Contracts
import Foundation
import IntegrationSupport
import Rules
import StageLogic
import Store
import Testing
import Vocabulary

/// Intake's matching against its tables: what a batch reads and writes.
@Suite struct HouseholdMatcherStoreTests {
    @Test func aRecordHeldBeforeIsSupersededByTheBatchsNewerCopyNotSentAfterIt() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let kerry = ReferredPerson(ref: "mother", givenName: "Kerry", familyName: "Brennan", dateOfBirth: CalendarDate(iso: "1980-02-14")!)
            let identity = PersonIdentity(givenName: kerry.givenName, familyName: kerry.familyName, dateOfBirth: kerry.dateOfBirth)
            func evidence(_ id: String, proven: Bool) -> EvidenceSubmitted {
                EvidenceSubmitted(
                    agency: "police", submittedAt: Date(),
                    record: EvidenceReport(id: id, subject: identity, fact: .offence(date: CalendarDate(iso: "2013-03-10")!, proven: proven)))
            }
            // Held before: OFF-1 (unproven) and OFF-2, about Kerry, whom no referral named yet.
            let held = [evidence("OFF-1", proven: false), evidence("OFF-2", proven: true)].map {
                HeldEvidenceRow(agencyID: "police", recordID: $0.record.id, identityKey: identity.keyHash, fact: $0.record.fact)
            }
            try await pool.withTransaction { connection in
                let key = AgencySignature.newKey()
                try AgencyTable.register(id: "police", name: "police", keyID: key.keyID, publicKey: key.publicKey, on: connection)
                try UnmatchedEvidenceTable.hold(held, on: connection)
            }
            // A batch with OFF-1 corrected (proven) and the referral naming Kerry.
            let submissions: [HouseholdMatcher.Submission] = [
                .init(evidence("OFF-1", proven: true)),
                .init(
                    ReferralSubmitted(
                        agency: "police", submittedAt: Date(),
                        referral: Referral(
                            id: "R1", address: Address(lines: ["12 Elm Street"], postcode: "LS1 1AA"), members: [kerry], reasons: ["youth offending"]))),
            ]
            let (plan, released) = try await pool.withTransaction { connection in
                let known = try HouseholdMatcher.Known.load(for: submissions, on: connection)
                let plan = HouseholdMatcher.plan(submissions, known: known, now: Date())
                return (plan, try HouseholdMatcher.write(plan, now: Date(), on: connection))
            }
            let sent = plan.messages.compactMap { if case .recorded(let message) = $0 { message } else { nil } }
            #expect(sent.map(\.evidenceID) == ["police/OFF-1"])
            #expect(sent.first?.fact == .offence(date: CalendarDate(iso: "2013-03-10")!, proven: true))
            // Only OFF-2 comes from what was held: the old OFF-1 is not sent after the new one.
            #expect(released.map(\.recorded.evidenceID) == ["police/OFF-2"])
            #expect(released.map(\.receipt.verdict) == [.released] && released.map(\.receipt.itemID) == ["OFF-2"])
            let stillHeld = try await pool.withConnection { try $0.query("SELECT count(*) FROM unmatched_evidence").decode(Int.self)[0] }
            #expect(stillHeld == 0)
        }
    }
}
