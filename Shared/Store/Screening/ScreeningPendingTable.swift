import Foundation
import Postgres

/// Queries of `screening_pending`: the families screening has heard about
/// and not decided since, each with the time it falls due.
public enum ScreeningPendingTable {
    /// Makes these families due again, whether or not they were pending, in
    /// one statement: `settle` after now (the statement's time: a batch that
    /// waited for the families' locks counts from when it got them) for a family
    /// screening holds evidence about or has decided before,
    /// `awaitingEvidence` after it for a new one with no evidence yet (its
    /// evidence usually follows its referral). Call it holding the families'
    /// screening locks, after recording the batch's evidence.
    public static func touch(
        _ familyIDs: some Collection<UUID>, settle: Duration, awaitingEvidence: Duration, on connection: PostgresConnection
    ) throws {
        guard !familyIDs.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO screening_pending (family_id, due_at)
            SELECT family_id,
                   statement_timestamp() + make_interval(secs => CASE WHEN EXISTS (SELECT FROM screening_evidence AS evidence
                                                                   WHERE evidence.family_id = family.family_id)
                                                           OR EXISTS (SELECT FROM eligibility_decision AS decision
                                                                      WHERE decision.family_id = family.family_id)
                                                      THEN \(settle.timeInterval)::float8 ELSE \(awaitingEvidence.timeInterval)::float8 END)
            FROM unnest(\(familyIDs.sorted())::uuid[]) AS family (family_id)
            ON CONFLICT (family_id) DO UPDATE SET due_at = excluded.due_at
            """, preparedAs: "screening_pending_touch")
    }

    /// Up to `limit` families due by the time this transaction began, the
    /// longest due first, with how long each has been due.
    public static func due(limit: Int, on connection: PostgresConnection) throws -> [(familyID: UUID, overdueSeconds: Double)] {
        try connection.query(
            """
            SELECT family_id, extract(epoch FROM now() - due_at)::float8 FROM screening_pending
            WHERE due_at <= now() ORDER BY due_at LIMIT \(limit)
            """, preparedAs: "screening_pending_due"
        ).decode((UUID, Double).self).map { (familyID: $0.0, overdueSeconds: $0.1) }
    }

    /// Takes those of these families that are still due (no batch has
    /// touched them since ``due(limit:on:)`` read them) off the table, in
    /// this transaction. Call it holding their screening locks.
    /// - Returns: the families taken, to decide now.
    public static func take(_ familyIDs: [UUID], on connection: PostgresConnection) throws -> [UUID] {
        guard !familyIDs.isEmpty else { return [] }
        return try connection.query(
            "DELETE FROM screening_pending WHERE family_id = ANY(\(familyIDs)::uuid[]) AND due_at <= now() RETURNING family_id",
            preparedAs: "screening_pending_take"
        ).decode(UUID.self)
    }

    /// Those of these families that are pending.
    public static func pending(among familyIDs: [UUID], on connection: PostgresConnection) throws -> Set<UUID> {
        Set(
            try connection.query(
                "SELECT family_id FROM screening_pending WHERE family_id = ANY(\(familyIDs)::uuid[])", preparedAs: "screening_pending_among"
            ).decode(UUID.self))
    }
}
