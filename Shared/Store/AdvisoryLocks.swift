import Postgres

/// Transaction-scoped advisory locks: how a stage serializes the state it
/// keeps per family (or per identity) across lanes, replicas and topics.
///
/// A batch takes all its keys in one statement, in one global order (the
/// keys' 64-bit hashes, ascending), before it reads the state they guard;
/// so two transactions taking overlapping keys wait for each other instead
/// of deadlocking, and the second reads what the first committed. The locks
/// end with the transaction.
public struct AdvisoryLocks: Sendable {
    /// What the keys name. Advisory locks are database-wide: the namespace
    /// keeps one stage's family locks from serializing another stage's.
    private let namespace: String

    /// Screening's families: their members, evidence and decisions.
    public static let screeningFamilies = AdvisoryLocks(namespace: "screening_family")
    /// The claims stage's families: decision, attachment, evidence and claims.
    public static let claimsFamilies = AdvisoryLocks(namespace: "claims_family")
    /// Intake's people and addresses, by identity or address key.
    public static let intakeMatching = AdvisoryLocks(namespace: "intake_matching")
    /// Intake's families: the people added to them and their labels.
    public static let intakeFamilies = AdvisoryLocks(namespace: "intake_family")
    /// The claims stage's measurement sweep, one key: one sweep at a time
    /// however many replicas run.
    public static let claimsSweep = AdvisoryLocks(namespace: "claims_sweep")

    /// Locks `keys` (duplicates taken once) until the transaction ends,
    /// waiting for any transaction that holds one of them. Postgres
    /// evaluates a volatile output expression after the query's ORDER BY, so
    /// the locks are taken in the keys' order.
    public func lock(_ keys: some Collection<String>, on connection: PostgresConnection) throws {
        guard !keys.isEmpty else { return }
        try connection.execute(
            """
            SELECT pg_advisory_xact_lock(lock_key)
            FROM (SELECT DISTINCT hashtextextended(\(namespace) || '/' || key, 0) AS lock_key
                  FROM unnest(\(Array(keys))::text[]) AS key) AS keys
            ORDER BY lock_key
            """, preparedAs: "advisory_locks")
    }

    /// Locks those of `keys` that no other transaction holds, until the
    /// transaction ends, waiting for none: for work that can leave a busy
    /// key to a later turn, and so never waits in a cycle.
    /// - Returns: the keys locked.
    public func lockFree(_ keys: [String], on connection: PostgresConnection) throws -> [String] {
        guard !keys.isEmpty else { return [] }
        return try connection.query(
            """
            SELECT key FROM unnest(\(keys)::text[]) AS key
            WHERE pg_try_advisory_xact_lock(hashtextextended(\(namespace) || '/' || key, 0))
            """, preparedAs: "advisory_locks_free"
        ).decode(String.self)
    }
}
