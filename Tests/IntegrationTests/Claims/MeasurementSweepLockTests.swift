import Foundation
import IntegrationSupport
import Postgres
import Rules
import StageLogic
import Store
import Synchronization
import Testing
import Vocabulary

/// One measurement sweep at a time, however many replicas of claims run.
@Suite struct MeasurementSweepLockTests {
    static let day = CalendarDate(iso: "2014-09-30")!

    static func sweep() throws -> MeasurementSweep {
        MeasurementSweep(ruleset: try Ruleset.bundled("phase1-2012"), asOf: day, claimant: "turnaround-claims")
    }

    /// An eligible family attached on 16 September 2013, never measured.
    static func attachedFamily(on pool: PostgresPool) async throws {
        try await pool.withConnection { connection in
            try connection.execute(
                """
                INSERT INTO claims_family (family_id, members, is_eligible, eligible_since, attached_on, keyworker, attached_by)
                VALUES (gen_random_uuid(), '[]', true, '2013-09-01', '2013-09-16', 'kw-1', 'coord-1')
                """)
        }
    }

    @Test func whileOneTransactionSweepsAReplicasTurnSweepsNothingAndOneOnDemandWaits() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let sweep = try Self.sweep()
            let firstSweeps = Mutex(false)
            let configuration = pool.configuration
            // The first sweep finds nothing due, and holds the sweep until an
            // on-demand sweep waits for it.
            let first = Task {
                try await pool.withTransaction(.readCommitted) { connection in
                    let turn = try sweep.turn(on: connection, whenAnotherSweeps: .skip)
                    firstSweeps.withLock { $0 = true }
                    try LockWaiters.awaitOne(blockedBy: connection, configuration: configuration)
                    return turn.measured
                }
            }
            while !firstSweeps.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            try await Self.attachedFamily(on: pool)
            let replica = try await pool.withTransaction(.readCommitted) { try sweep.turn(on: $0, whenAnotherSweeps: .skip) }
            #expect([replica.measured, replica.claims] == [0, 0] && !replica.moreDue)
            let onDemand = try await pool.withTransaction(.readCommitted) { try sweep.turn(on: $0, whenAnotherSweeps: .wait) }
            #expect(try await first.value == 0)
            #expect([onDemand.measured, onDemand.claims] == [1, 1] && !onDemand.moreDue)
            let again = try await pool.withTransaction(.readCommitted) { try sweep.turn(on: $0, whenAnotherSweeps: .skip) }
            #expect([again.measured, again.claims] == [0, 0] && !again.moreDue)
        }
    }
}
