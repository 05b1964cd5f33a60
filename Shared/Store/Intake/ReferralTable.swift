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

        public init(
            agencyID: String, referralID: String, familyID: UUID, reasons: [String], submittedAt: Date, reviewNote: String?
        ) {
            self.agencyID = agencyID
            self.referralID = referralID
            self.familyID = familyID
            self.reasons = reasons
            self.submittedAt = submittedAt
            self.reviewNote = reviewNote
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

    /// Which of these referrals intake received before.
    public static func received(_ keys: [Key], on connection: PostgresConnection) throws -> Set<Key> {
        guard !keys.isEmpty else { return [] }
        let rows = try connection.query(
            """
            SELECT referral.agency_id, referral.referral_id
            FROM referral JOIN unnest(\(keys.map(\.agencyID))::text[], \(keys.map(\.referralID))::text[]) AS wanted (agency_id, referral_id)
                 ON referral.agency_id = wanted.agency_id AND referral.referral_id = wanted.referral_id
            """, preparedAs: "referrals_received"
        ).decode((String, String).self)
        return Set(rows.map { Key(agencyID: $0.0, referralID: $0.1) })
    }

    /// Records referrals, in one statement.
    public static func insert(_ rows: [Row], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO referral (agency_id, referral_id, family_id, reasons, submitted_at, review_note)
            SELECT agency_id, referral_id, family_id, ARRAY(SELECT reason FROM jsonb_array_elements_text(reasons::jsonb) WITH ORDINALITY AS reason (reason, n) ORDER BY n), submitted_at, review_note
            FROM unnest(\(rows.map(\.agencyID))::text[], \(rows.map(\.referralID))::text[], \(rows.map(\.familyID))::uuid[],
                        \(rows.map { PostgresJSON($0.reasons) })::text[], \(rows.map(\.submittedAt))::timestamptz[],
                        \(rows.map(\.reviewNote))::text[])
                 AS referral (agency_id, referral_id, family_id, reasons, submitted_at, review_note)
            """, preparedAs: "referrals_insert")
    }
}
