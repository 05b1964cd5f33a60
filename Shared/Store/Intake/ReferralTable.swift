import Foundation
import Postgres

/// Queries of `referral`: every referral intake accepted, and where it went.
public enum ReferralTable {
    public struct Row: Sendable, Hashable {
        public var agencyID: String
        public var referralID: String
        public var familyID: UUID
        public var reasons: [String]
        public var submittedAt: Date
        /// A digest of what the referral held, to tell a repeat from a conflict.
        public var contentDigest: String

        public init(
            agencyID: String, referralID: String, familyID: UUID, reasons: [String], submittedAt: Date, contentDigest: String
        ) {
            self.agencyID = agencyID
            self.referralID = referralID
            self.familyID = familyID
            self.reasons = reasons
            self.submittedAt = submittedAt
            self.contentDigest = contentDigest
        }
    }

    /// An agency's referral id.
    public struct Key: Sendable, Hashable {
        public var agencyID: String
        public var referralID: String

        public init(agencyID: String, referralID: String) {
            self.agencyID = agencyID
            self.referralID = referralID
        }
    }

    /// Which of these referrals intake received before, with the digest of
    /// what each held (nil for one received before digests were kept).
    public static func received(_ keys: [Key], on connection: PostgresConnection) throws -> [Key: String?] {
        guard !keys.isEmpty else { return [:] }
        let rows = try connection.query(
            """
            SELECT referral.agency_id, referral.referral_id, referral.content_digest
            FROM referral JOIN unnest(\(keys.map(\.agencyID))::text[], \(keys.map(\.referralID))::text[]) AS wanted (agency_id, referral_id)
                 ON referral.agency_id = wanted.agency_id AND referral.referral_id = wanted.referral_id
            """, preparedAs: "referrals_received"
        ).decode((String, String, String?).self)
        return Dictionary(rows.map { (Key(agencyID: $0.0, referralID: $0.1), $0.2) }, uniquingKeysWith: { first, _ in first })
    }

    /// Moves the referrals of a family merged into another to the family
    /// kept, in one statement.
    /// - Returns: the referrals moved.
    public static func move(from merged: UUID, to kept: UUID, on connection: PostgresConnection) throws -> [Key] {
        try connection.query(
            "UPDATE referral SET family_id = \(kept) WHERE family_id = \(merged) RETURNING agency_id, referral_id", preparedAs: "referrals_move"
        ).decode((String, String).self).map { Key(agencyID: $0.0, referralID: $0.1) }.sorted { ($0.agencyID, $0.referralID) < ($1.agencyID, $1.referralID) }
    }

    /// Records referrals, in one statement.
    public static func insert(_ rows: [Row], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO referral (agency_id, referral_id, family_id, reasons, submitted_at, content_digest)
            SELECT agency_id, referral_id, family_id, ARRAY(SELECT reason FROM jsonb_array_elements_text(reasons::jsonb) WITH ORDINALITY AS reason (reason, n) ORDER BY n), submitted_at, content_digest
            FROM unnest(\(rows.map(\.agencyID))::text[], \(rows.map(\.referralID))::text[], \(rows.map(\.familyID))::uuid[],
                        \(rows.map { PostgresJSON($0.reasons) })::text[], \(rows.map(\.submittedAt))::timestamptz[],
                        \(rows.map(\.contentDigest))::text[])
                 AS referral (agency_id, referral_id, family_id, reasons, submitted_at, content_digest)
            """, preparedAs: "referrals_insert")
    }
}
