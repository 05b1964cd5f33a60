import Foundation
import IntegrationSupport
import Postgres
import Store
import Testing

/// The families screening will decide once their events stop coming.
@Suite struct ScreeningPendingTableTests {
    @Test func aNewFamilyWithNoEvidenceWaitsForItAndOneWithEvidenceOrADecisionSettlesSoon() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let (referredOnly, withEvidence, decidedBefore) = (UUID(), UUID(), UUID())
            try await pool.withTransaction { connection in
                _ = try EvidenceTable.screening.upsert(
                    [.init(evidenceID: "OFF-1", familyID: withEvidence, personID: "P1", fact: "{}", recordedAt: Date())], on: connection)
                // A family decided before whose only record was corrected away.
                try EligibilityDecisionTable.insert(
                    [
                        .init(
                            decisionID: UUID(), familyID: decidedBefore, revision: 1, decidedBy: "turnaround-screening", decidedOn: "2013-09-01",
                            rulesetID: "phase1-2012", rulesetVersion: "1.0.0", rulesetHash: "h", isEligible: false, metCriteria: [],
                            summary: "not eligible", memberIDs: ["P1"], decision: "{}")
                    ], on: connection)
                try ScreeningPendingTable.touch(
                    [referredOnly, withEvidence, decidedBefore],
                    windows: .init(settle: .seconds(1), awaitingEvidence: .seconds(600), longestWait: .seconds(900)), on: connection)
            }
            let waits = try await pool.withConnection {
                try $0.query("SELECT family_id, extract(epoch FROM due_at - now())::float8 FROM screening_pending").decode((UUID, Double).self)
            }
            let due = Dictionary(uniqueKeysWithValues: waits.map { ($0.0, $0.1) })
            #expect(due.count == 3)
            #expect(due[referredOnly, default: 0] > 500)
            #expect(due[withEvidence, default: 600] < 60)
            #expect(due[decidedBefore, default: 600] < 60)
        }
    }

    @Test func aFamilyWhoseEventsKeepComingFallsDueTheLongestWaitAfterItsFirst() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let family = UUID()
            func row() async throws -> (waitingSince: String, dueAt: String) {
                try await pool.withConnection {
                    try $0.query("SELECT waiting_since::text, due_at::text FROM screening_pending WHERE family_id = \(family)")
                        .decode((String, String).self)[0]
                }
            }
            try await pool.withTransaction {
                try ScreeningPendingTable.touch([family], windows: .init(settle: .seconds(600), awaitingEvidence: .seconds(600), longestWait: .seconds(3600)), on: $0)
            }
            let first = try await row()
            #expect(try await pool.withTransaction { try ScreeningPendingTable.due(limit: 10, on: $0) }.isEmpty)

            // More events, each of which would put it off the settle window again.
            try await pool.withTransaction {
                try ScreeningPendingTable.touch([family], windows: .init(settle: .seconds(600), awaitingEvidence: .seconds(600), longestWait: .zero), on: $0)
            }
            let second = try await row()
            #expect(second.waitingSince == first.waitingSince)
            #expect(second.dueAt == first.waitingSince)
            #expect(try await pool.withTransaction { try ScreeningPendingTable.due(limit: 10, on: $0) }.map(\.familyID) == [family])
        }
    }

    @Test func aFamilyABatchMadeDueAgainAfterItWasReadIsNotTaken() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let (touchedAgain, settled) = (UUID(), UUID())
            try await pool.withTransaction {
                try ScreeningPendingTable.touch([touchedAgain, settled], windows: .all(.zero), on: $0)
            }
            let configuration = pool.configuration
            let taken = try await pool.withTransaction { decider in
                let due = try ScreeningPendingTable.due(limit: 10, on: decider).map(\.familyID)
                // A batch about one of them commits before the decider takes them.
                try PostgresConnection(configuration: configuration).withTransaction {
                    try ScreeningPendingTable.touch([touchedAgain], windows: .all(.seconds(60)), on: $0)
                }
                return try ScreeningPendingTable.take(due, on: decider)
            }
            #expect(taken == [settled])
            #expect(
                try await pool.withConnection { try ScreeningPendingTable.pending(among: [touchedAgain, settled], on: $0) } == [touchedAgain])
        }
    }
}

/// The locks screening's decider takes: those no batch holds, never waiting.
@Suite struct AdvisoryLocksTests {
    @Test func lockFreeTakesTheKeysNobodyHoldsAndLeavesTheRest() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let configuration = pool.configuration
            let (held, free) = (UUID().uuidString, UUID().uuidString)
            let taken = try await pool.withTransaction { decider in
                let batch = try PostgresConnection(configuration: configuration)
                try batch.execute("BEGIN")
                try AdvisoryLocks.screeningFamilies.lock([held], on: batch)
                let taken = try AdvisoryLocks.screeningFamilies.lockFree([held, free], on: decider)
                try batch.execute("ROLLBACK")
                return taken
            }
            #expect(taken == [free])
        }
    }
}
