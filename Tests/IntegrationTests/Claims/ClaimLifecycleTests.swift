import Foundation
import IntegrationSupport
import Postgres
import StageLogic
import Store
import Synchronization
import Testing

/// A claim's way from internal audit to payment, kept by the database.
@Suite struct ClaimLifecycleTests {
    static let window = "2014/15 Q2"

    /// Claims as the claims stage makes them, in `window`, £100 more each.
    static func claims(_ count: Int, window: String = window, on pool: PostgresPool) async throws -> [UUID] {
        try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
        return try await pool.withConnection { connection in
            try (1...count).map { index in
                try connection.query(
                    """
                    INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence,
                                              financial_year, claim_window, explanation, claimed_by)
                    VALUES (gen_random_uuid(), 'phase1-2012', '1.0.0', 'h', 'attachment', \(index * 10_000), '2014/15', \(window), '{}',
                            'turnaround-claims')
                    RETURNING claim_id
                    """
                ).decode(UUID.self)[0]
            }
        }
    }

    /// One claim of `family` for `payment`, in `window`.
    static func claim(family: UUID, payment: String, amountPence: Int = 240_000, window: String = window, on pool: PostgresPool) async throws -> UUID {
        try await pool.withConnection { connection in
            try connection.query(
                """
                INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence,
                                          financial_year, claim_window, explanation, claimed_by)
                VALUES (\(family), 'phase1-2012', '1.0.0', 'h', \(payment), \(amountPence), '2014/15', \(window), '{}', 'turnaround-claims')
                RETURNING claim_id
                """
            ).decode(UUID.self)[0]
        }
    }

    /// Internal audit samples every claim awaiting it in the window and passes each.
    static func auditEverything(window: String = window, on pool: PostgresPool) async throws {
        try await pool.withTransaction { connection in
            let drawn = try InternalAudit.drawSample(window: window, percent: 100, seed: 1, by: "auditor-0", on: connection)
            for claim in drawn.claims { try InternalAudit.record(claim.claimID, passed: true, by: "auditor-0", note: nil, on: connection) }
        }
    }

    static func statuses(_ claims: [UUID], on pool: PostgresPool) async throws -> [String] {
        try await pool.withConnection { connection in
            try claims.map { try connection.query("SELECT status FROM result_claim WHERE claim_id = \($0)").decode(String.self)[0] }
        }
    }

    static func refusal(_ body: @escaping @Sendable (PostgresConnection) throws -> some Sendable, on pool: PostgresPool) async -> String? {
        do {
            _ = try await pool.withTransaction(.readCommitted, body)
            return nil
        } catch let refused as ClaimLifecycle.Refused {
            return refused.description
        } catch {
            return "not a refusal: \(error)"
        }
    }

    @Test func everyAllowedMoveIsMadeAndKeptInTheClaimsHistory() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claims = try await Self.claims(4, on: pool)
            let (a, b, c, d) = (claims[0], claims[1], claims[2], claims[3])
            try await Self.auditEverything(on: pool)
            let validated = try await pool.withTransaction { try ClaimLifecycle.validate([a, b, c], by: "auditor-1", note: "sampled", on: $0) }
            #expect(validated == ClaimLifecycle.Moved(claims: 3, totalPence: 60_000))
            try await pool.withTransaction { try ClaimLifecycle.reject([d], by: "auditor-1", reason: "no attachment record", on: $0) }
            let submitted = try await pool.withTransaction { try ClaimLifecycle.submit(window: Self.window, by: "finance-1", on: $0) }
            #expect(submitted.claims == 3 && submitted.totalPence == 60_000 && submitted.claimWindow == Self.window)
            let paid = try await pool.withTransaction { try ClaimLifecycle.pay(returnID: submitted.returnID, claims: [a, b], by: "finance-2", on: $0) }
            #expect(paid == ClaimLifecycle.Moved(claims: 2, totalPence: 30_000))
            try await pool.withTransaction {
                try ClaimLifecycle.refuse(returnID: submitted.returnID, by: "finance-2", reason: "family outside the cohort", on: $0)
            }
            #expect(try await Self.statuses(claims, on: pool) == ["paid", "paid", "rejected", "rejected"])

            let history = try await pool.withConnection { try ClaimEventTable.history(of: c, on: $0) }
            #expect(history.map { "\($0.from)>\($0.to) \($0.madeBy) \($0.reason ?? "-")" } == [
                "awaiting-audit>validated auditor-1 sampled", "validated>submitted finance-1 -",
                "submitted>rejected finance-2 family outside the cohort",
            ])
            #expect(history.dropFirst().allSatisfy { $0.returnID == submitted.returnID })
        }
    }

    @Test func aMoveAnyClaimCannotMakeIsRefusedWholeNamingEachAndChangesNothing() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claims = try await Self.claims(3, on: pool)
            let (a, b, c) = (claims[0], claims[1], claims[2])
            let unknown = UUID()
            try await Self.auditEverything(on: pool)
            try await pool.withTransaction { try ClaimLifecycle.reject([b], by: "auditor-1", reason: "duplicate", on: $0) }

            let mixed = await Self.refusal({ try ClaimLifecycle.validate([a, b, unknown], by: "auditor-1", on: $0) }, on: pool)
            #expect(
                Set(mixed?.split(separator: "\n").map(String.init) ?? []) == [
                    "claim \(b.uuidString.lowercased()) is rejected: only a claim awaiting audit can be validated",
                    "claim \(unknown.uuidString.lowercased()): no such claim",
                ])
            #expect(try await Self.statuses([a, b], on: pool) == ["awaiting-audit", "rejected"])
            #expect(await Self.refusal({ try ClaimLifecycle.reject([a], by: "auditor-1", reason: "  ", on: $0) }, on: pool) == "--reason must not be empty")
            #expect(
                await Self.refusal({ try ClaimLifecycle.submit(window: Self.window, by: "finance-1", on: $0) }, on: pool)?
                    .hasPrefix("window \(Self.window) has 2 claim(s) awaiting audit") == true)

            try await pool.withTransaction { try ClaimLifecycle.validate([a, c], by: "auditor-1", on: $0) }
            let submitted = try await pool.withTransaction { try ClaimLifecycle.submit(window: Self.window, by: "finance-1", on: $0) }
            #expect(
                await Self.refusal({ try ClaimLifecycle.submit(window: Self.window, by: "finance-1", on: $0) }, on: pool)?
                    .hasPrefix("window \(Self.window) was submitted already, as return \(submitted.returnID.uuidString.lowercased())") == true)
            #expect(
                await Self.refusal({ try ClaimLifecycle.submit(window: "2015/16 Q1", by: "finance-1", on: $0) }, on: pool)
                    == "window 2015/16 Q1 has no validated claim to submit")
            #expect(
                await Self.refusal({ try ClaimLifecycle.pay(returnID: submitted.returnID, claims: [b], by: "finance-2", on: $0) }, on: pool)
                    == "claim \(b.uuidString.lowercased()) is not in return \(submitted.returnID.uuidString.lowercased())")
            try await pool.withTransaction { try ClaimLifecycle.pay(returnID: submitted.returnID, claims: [a], by: "finance-2", on: $0) }
            #expect(
                await Self.refusal(
                    { try ClaimLifecycle.refuse(returnID: submitted.returnID, claims: [a], by: "finance-2", reason: "late", on: $0) }, on: pool)
                    == "claim \(a.uuidString.lowercased()) is paid: only a claim submitted can be refused")
            #expect(try await Self.statuses(claims, on: pool) == ["paid", "rejected", "submitted"])
        }
    }

    /// Whatever the client: psql cannot move a claim around its history, nor rewrite it.
    @Test func theDatabaseRefusesAnyOtherMoveAndKeepsTheHistoryAppendOnly() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claims = try await Self.claims(1, on: pool)
            try await pool.withTransaction { try ClaimLifecycle.validate(claims, by: "auditor-1", on: $0) }
            func refused(_ statement: PostgresQuery) async -> String? {
                do {
                    try await pool.withConnection { try $0.execute(statement) }
                    return nil
                } catch let error as PostgresError {
                    return error.sqlState
                } catch {
                    return "\(error)"
                }
            }
            #expect(await refused("UPDATE result_claim SET status = 'paid' WHERE claim_id = \(claims[0])") == "42501")
            #expect(await refused("UPDATE claim_event SET made_by = 'someone else'") == "42501")
            #expect(await refused("DELETE FROM claim_event") == "42501")
            #expect(await refused("TRUNCATE claim_event") == "42501")
            // Paying a claim never submitted: not an edge of the lifecycle.
            #expect(
                await refused(
                    "INSERT INTO claim_event (claim_id, from_status, to_status, made_by) VALUES (\(claims[0]), 'validated', 'paid', 'x')")
                    == "23503")
            // An event that says the claim was where it is not.
            #expect(
                await refused(
                    "INSERT INTO claim_event (claim_id, from_status, to_status, made_by, reason) VALUES (\(claims[0]), 'awaiting-audit', 'rejected', 'x', 'r')")
                    == "23514")
            #expect(try await Self.statuses(claims, on: pool) == ["validated"])
        }
    }

    /// Two auditors answer the same claim at once: the second waits for the
    /// first's transaction, then finds the claim moved, and changes nothing.
    @Test func ofTwoAuditorsRacingOnOneClaimExactlyOneWins() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claim = try await Self.claims(1, on: pool)[0]
            let firstHoldsTheClaim = Mutex(false)
            let configuration = pool.configuration
            let first = Task {
                try await pool.withTransaction { connection in
                    let moved = try ClaimLifecycle.validate([claim], by: "auditor-1", on: connection)
                    firstHoldsTheClaim.withLock { $0 = true }
                    // Commit only once the second auditor waits for this claim.
                    try LockWaiters.awaitOne(blockedBy: connection, configuration: configuration)
                    return moved
                }
            }
            while !firstHoldsTheClaim.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            let second = await Self.refusal({ try ClaimLifecycle.reject([claim], by: "auditor-2", reason: "no evidence", on: $0) }, on: pool)
            #expect(try await first.value == ClaimLifecycle.Moved(claims: 1, totalPence: 10_000))
            #expect(second == "claim \(claim.uuidString.lowercased()) is validated: only a claim awaiting audit can be rejected")
            #expect(try await pool.withConnection { try ClaimEventTable.history(of: claim, on: $0) }.map(\.madeBy) == ["auditor-1"])
        }
    }
}
