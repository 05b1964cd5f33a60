import Foundation
import IntegrationSupport
import Postgres
import Rules
import StageLogic
import Store
import Testing
import Vocabulary

/// A family merged into another is one family: what was claimed for it is
/// never claimed again for the family kept, and it is never claimed for itself.
@Suite struct MergedFamilyClaimsTests {
    static let members = [FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1980-02-14")!)]

    @Test func theMergedFamilysFeeCountsAsTheFamilyKeptsAndItIsNeverMeasuredOrCountedAgain() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let ruleset = try Ruleset.bundled("phase1-2012")
            let (kept, merged) = (UUID(), UUID())
            let claimer = Claimer(ruleset: ruleset, asOf: CalendarDate(iso: "2014-09-30")!, claimant: "turnaround-claims")
            let due = { @Sendable (connection: PostgresConnection) throws -> [String: [String]] in
                Dictionary(uniqueKeysWithValues: try claimer.review([kept, merged], on: connection).filter { !$0.due.isEmpty }.map {
                    ($0.familyID == kept ? "kept" : "merged", $0.due.map(\.payment))
                })
            }
            try await pool.withConnection { connection in
                let eligible = ClaimsFamilyRow(
                    familyID: kept, members: Self.members, decisionID: UUID(), decisionRevision: 1, rulesetID: ruleset.id, isEligible: true,
                    decidedOn: "2013-09-01", eligibleSince: "2013-09-01", attachedOn: "2013-09-16", keyworker: "kw-1", attachedBy: "coordinator-1")
                var mergedRow = eligible
                mergedRow.familyID = merged
                try ClaimsFamilyTable.write([eligible, mergedRow], on: connection)
                // Each family's attachment fee is due while they are two.
                #expect(try due(connection) == ["kept": ["attachment"], "merged": ["attachment"]])
                let identified = { try ClaimsFamilyTable.eligibleAndAttachedDays(rulesetID: ruleset.id, on: connection).map(\.families).reduce(0, +) }
                #expect(try identified() == 2)
                try ResultClaimTable.claim(try claimer.review([merged], on: connection).flatMap(\.due), on: connection)

                mergedRow.mergedInto = kept
                try ClaimsFamilyTable.write([mergedRow], on: connection)
                try MergedFamilyTable.claims.record([merged: .init(familyID: kept, labels: ["P1": "P2"])], at: Date(), on: connection)
                #expect(try due(connection) == [:])
                // The programme's progress counts one family identified and worked with.
                #expect(try identified() == 1)
                #expect(try ClaimsFamilyTable.dueForMeasurement(asOf: "2014-09-30", limit: 10, on: connection) == [kept])
            }
        }
    }
}
