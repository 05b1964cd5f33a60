import Foundation
import Postgres

/// Queries of `audit_verdict`: what internal audit found of each sampled
/// claim, appended and never changed; a claim's latest verdict stands.
public enum AuditVerdictTable {
    public struct Verdict: Sendable, Hashable {
        public var claimID: UUID
        public var passed: Bool
        public var note: String?
        public var madeBy: String
        public var madeAt: Date
    }

    public static func append(claimID: UUID, passed: Bool, note: String?, madeBy: String, on connection: PostgresConnection) throws {
        try connection.execute(
            "INSERT INTO audit_verdict (claim_id, passed, note, made_by) VALUES (\(claimID), \(passed), \(note), \(madeBy))")
    }

    /// Every verdict on a claim, oldest first.
    public static func all(of claimID: UUID, on connection: PostgresConnection) throws -> [Verdict] {
        try connection.query(
            "SELECT claim_id, passed, note, made_by, made_at FROM audit_verdict WHERE claim_id = \(claimID) ORDER BY verdict_id"
        ).decode((UUID, Bool, String?, String, Date).self).map { Verdict(claimID: $0.0, passed: $0.1, note: $0.2, madeBy: $0.3, madeAt: $0.4) }
    }

    /// The latest verdict on each of these claims that has one.
    public static func latest(of claimIDs: [UUID], on connection: PostgresConnection) throws -> [UUID: Verdict] {
        let verdicts = try connection.query(
            """
            SELECT DISTINCT ON (claim_id) claim_id, passed, note, made_by, made_at FROM audit_verdict
            WHERE claim_id = ANY(\(claimIDs)::uuid[]) ORDER BY claim_id, verdict_id DESC
            """
        ).decode((UUID, Bool, String?, String, Date).self).map { Verdict(claimID: $0.0, passed: $0.1, note: $0.2, madeBy: $0.3, madeAt: $0.4) }
        return Dictionary(uniqueKeysWithValues: verdicts.map { ($0.claimID, $0) })
    }

    /// For each of these claims, the claims of its family in its window
    /// (itself included) whose latest verdict is a failure.
    public static func failedInFamily(of claimIDs: [UUID], on connection: PostgresConnection) throws -> [(claimID: UUID, failed: UUID)] {
        try connection.query(
            """
            SELECT c.claim_id, f.claim_id
            FROM result_claim c JOIN result_claim f ON f.family_id = c.family_id AND f.claim_window = c.claim_window
            JOIN LATERAL (SELECT passed FROM audit_verdict WHERE claim_id = f.claim_id ORDER BY verdict_id DESC LIMIT 1) v ON NOT v.passed
            WHERE c.claim_id = ANY(\(claimIDs)::uuid[])
            ORDER BY c.claim_id, f.claim_id
            """
        ).decode((UUID, UUID).self).map { (claimID: $0.0, failed: $0.1) }
    }
}
