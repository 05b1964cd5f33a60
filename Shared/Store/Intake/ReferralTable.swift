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
        public var reviewNote: String?
        /// A digest of what the referral held, to tell a repeat from a conflict.
        public var contentDigest: String

        public init(
            agencyID: String, referralID: String, familyID: UUID, reasons: [String], submittedAt: Date, reviewNote: String?, contentDigest: String
        ) {
            self.agencyID = agencyID
            self.referralID = referralID
            self.familyID = familyID
            self.reasons = reasons
            self.submittedAt = submittedAt
            self.reviewNote = reviewNote
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

    /// The notes for review of every family a referral marked for review
    /// (naming people of two families), by family.
    public static func reviewNotes(on connection: PostgresConnection) throws -> [UUID: [String]] {
        let rows = try connection.query(
            "SELECT family_id, review_note FROM referral WHERE review_note IS NOT NULL ORDER BY submitted_at",
            preparedAs: "referrals_review_notes"
        ).decode((UUID, String).self)
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map(\.1) }
    }

    /// Records referrals, in one statement.
    public static func insert(_ rows: [Row], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO referral (agency_id, referral_id, family_id, reasons, submitted_at, review_note, content_digest)
            SELECT agency_id, referral_id, family_id, ARRAY(SELECT reason FROM jsonb_array_elements_text(reasons::jsonb) WITH ORDINALITY AS reason (reason, n) ORDER BY n), submitted_at, review_note, content_digest
            FROM unnest(\(rows.map(\.agencyID))::text[], \(rows.map(\.referralID))::text[], \(rows.map(\.familyID))::uuid[],
                        \(rows.map { PostgresJSON($0.reasons) })::text[], \(rows.map(\.submittedAt))::timestamptz[],
                        \(rows.map(\.reviewNote))::text[], \(rows.map(\.contentDigest))::text[])
                 AS referral (agency_id, referral_id, family_id, reasons, submitted_at, review_note, content_digest)
            """, preparedAs: "referrals_insert")
    }
}
