import Foundation
import Postgres

/// Queries of `audit_sample` and its members, `audit_sample_claim`: the
/// sample internal audit drew of a window's claims, once, with why each
/// claim is in it.
public enum AuditSampleTable {
    public struct Row: Sendable, Hashable {
        public var sampleID: UUID
        public var claimWindow: String
        public var percent: Double
        public var seed: Int64
        public var drawnBy: String
        public var drawnAt: Date
    }

    /// A claim awaiting audit in a window, as sampling weighs it: its family,
    /// payment, keyworker, the agency that first referred the family, days
    /// from attachment to the measurement, and the criteria its family's
    /// eligibility decision found met (comma-separated).
    public static func candidates(
        window: String, on connection: PostgresConnection
    ) throws -> [(claimID: UUID, familyID: UUID, payment: String, keyworker: String?, agency: String?, days: Int?, metCriteria: String)] {
        try connection.query(
            """
            SELECT c.claim_id, c.family_id, c.payment, c.explanation->>'keyworker',
                   (SELECT r.agency_id FROM referral r WHERE r.family_id = c.family_id ORDER BY r.submitted_at, r.agency_id LIMIT 1),
                   CASE WHEN c.payment <> 'attachment'
                        THEN (c.explanation->>'measuredOn')::date - (c.explanation->>'attachedOn')::date END,
                   coalesce((SELECT array_to_string(d.met_criteria, ',') FROM eligibility_decision d
                             WHERE d.decision_id = (c.explanation->>'eligibilityDecisionID')::uuid), '')
            FROM result_claim c WHERE c.claim_window = \(window) AND c.status = 'awaiting-audit'
            ORDER BY c.claim_id
            """
        ).decode((UUID, UUID, String, String?, String?, Int?, String).self).map {
            (claimID: $0.0, familyID: $0.1, payment: $0.2, keyworker: $0.3, agency: $0.4, days: $0.5, metCriteria: $0.6)
        }
    }

    /// Records a window's sample and its claims.
    public static func record(
        window: String, percent: Double, seed: Int64, drawnBy: String, claims: [(claimID: UUID, why: String)], on connection: PostgresConnection
    ) throws -> Row {
        let sample = try rows(
            connection.query(
                """
                INSERT INTO audit_sample (claim_window, percent, seed, drawn_by) VALUES (\(window), \(percent), \(seed), \(drawnBy))
                RETURNING sample_id, claim_window, percent::float8, seed, drawn_by, drawn_at
                """))[0]
        try connection.execute(
            """
            INSERT INTO audit_sample_claim (sample_id, claim_id, why)
            SELECT \(sample.sampleID), claim_id, why FROM unnest(\(claims.map(\.claimID))::uuid[], \(claims.map(\.why))::text[]) AS c (claim_id, why)
            """)
        return sample
    }

    /// The sample of a window, if one was drawn.
    public static func of(window: String, on connection: PostgresConnection) throws -> Row? {
        try rows(
            connection.query(
                "SELECT sample_id, claim_window, percent::float8, seed, drawn_by, drawn_at FROM audit_sample WHERE claim_window = \(window)")
        ).first
    }

    /// A window's sampled claims, with why each is in the sample, its status and its latest verdict.
    public static func claims(
        of sampleID: UUID, on connection: PostgresConnection
    ) throws -> [(claimID: UUID, why: String, status: String, passed: Bool?, verdictBy: String?, note: String?)] {
        try connection.query(
            """
            SELECT s.claim_id, s.why, c.status, v.passed, v.made_by, v.note
            FROM audit_sample_claim s JOIN result_claim c USING (claim_id)
            LEFT JOIN LATERAL (SELECT passed, made_by, note FROM audit_verdict WHERE claim_id = s.claim_id
                               ORDER BY verdict_id DESC LIMIT 1) v ON true
            WHERE s.sample_id = \(sampleID) ORDER BY s.claim_id
            """
        ).decode((UUID, String, String, Bool?, String?, String?).self).map {
            (claimID: $0.0, why: $0.1, status: $0.2, passed: $0.3, verdictBy: $0.4, note: $0.5)
        }
    }

    /// Why a claim is in its window's sample; nil when it is not.
    public static func why(_ claimID: UUID, on connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT why FROM audit_sample_claim WHERE claim_id = \(claimID)").decode(String.self).first
    }

    /// Which of these claims are in a sample.
    public static func sampled(_ claimIDs: [UUID], on connection: PostgresConnection) throws -> Set<UUID> {
        Set(try connection.query("SELECT claim_id FROM audit_sample_claim WHERE claim_id = ANY(\(claimIDs)::uuid[])").decode(UUID.self))
    }

    private static func rows(_ rows: PostgresRows) throws -> [Row] {
        try rows.decode((UUID, String, Double, Int64, String, Date).self).map {
            Row(sampleID: $0.0, claimWindow: $0.1, percent: $0.2, seed: $0.3, drawnBy: $0.4, drawnAt: $0.5)
        }
    }
}
