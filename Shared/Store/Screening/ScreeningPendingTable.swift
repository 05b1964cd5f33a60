import Foundation
import Postgres

/// Queries of `screening_pending`: the families screening has heard about
/// and not decided since, each with the time it falls due.
public enum ScreeningPendingTable {
    /// When a touched family falls due.
    public struct Windows: Sendable, Equatable {
        /// How long after its last event a family screening holds evidence
        /// about, or has decided before, falls due.
        public var settle: Duration
        /// How long after its last event a new family with no evidence yet
        /// falls due (its evidence usually follows its referral).
        public var awaitingEvidence: Duration
        /// The latest a family falls due after its first event since it was
        /// last decided, however often events keep coming.
        public var longestWait: Duration

        public init(settle: Duration, awaitingEvidence: Duration, longestWait: Duration) {
            self.settle = settle
            self.awaitingEvidence = awaitingEvidence
            self.longestWait = longestWait
        }

        /// One wait for every family.
        public static func all(_ wait: Duration) -> Windows {
            Windows(settle: wait, awaitingEvidence: wait, longestWait: wait)
        }
    }

    /// Makes these families due again, whether or not they were pending, in
    /// one statement: the window that fits each after now (the statement's
    /// time: a batch that waited for the families' locks counts from when it
    /// got them), but never later than the longest wait after the family
    /// began waiting. Call it holding the families' screening locks, after
    /// recording the batch's evidence.
    public static func touch(_ familyIDs: some Collection<UUID>, windows: Windows, on connection: PostgresConnection) throws {
        guard !familyIDs.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO screening_pending AS pending (family_id, waiting_since, due_at)
            SELECT family_id, statement_timestamp(),
                   statement_timestamp() + make_interval(secs => least(\(windows.longestWait.timeInterval)::float8,
                       CASE WHEN EXISTS (SELECT FROM screening_evidence AS evidence WHERE evidence.family_id = family.family_id)
                              OR EXISTS (SELECT FROM eligibility_decision AS decision WHERE decision.family_id = family.family_id)
                            THEN \(windows.settle.timeInterval)::float8 ELSE \(windows.awaitingEvidence.timeInterval)::float8 END))
            FROM unnest(\(familyIDs.sorted())::uuid[]) AS family (family_id)
            ON CONFLICT (family_id) DO UPDATE
            SET due_at = least(excluded.due_at, pending.waiting_since + make_interval(secs => \(windows.longestWait.timeInterval)::float8))
            """, preparedAs: "screening_pending_touch")
    }

    /// Up to `limit` families due by the time this transaction began, the
    /// longest due first, with how long each has been due.
    /// - Parameter longestWaitOnly: only the families due because they have
    ///   waited this long (``Windows/longestWait``), the longest waiting
    ///   first: what a stage far behind decides while the rest of a family's
    ///   events may still be coming.
    public static func due(
        limit: Int, longestWaitOnly longestWait: Duration? = nil, on connection: PostgresConnection
    ) throws -> [(familyID: UUID, overdueSeconds: Double)] {
        let rows: PostgresRows
        if let longestWait {
            rows = try connection.query(
                """
                SELECT family_id, extract(epoch FROM now() - due_at)::float8 FROM screening_pending
                WHERE waiting_since <= now() - make_interval(secs => \(longestWait.timeInterval)::float8) AND due_at <= now()
                ORDER BY waiting_since LIMIT \(limit)
                """, preparedAs: "screening_pending_waited_longest")
        } else {
            rows = try connection.query(
                "SELECT family_id, extract(epoch FROM now() - due_at)::float8 FROM screening_pending WHERE due_at <= now() ORDER BY due_at LIMIT \(limit)",
                preparedAs: "screening_pending_due")
        }
        return try rows.decode((UUID, Double).self).map { (familyID: $0.0, overdueSeconds: $0.1) }
    }

    /// Takes those of these families that are still due (no batch has
    /// touched them since ``due(limit:longestWaitOnly:on:)`` read them) off the table, in
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
