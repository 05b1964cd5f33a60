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

    /// When the agency sent this referral id before, and to which family, if it did.
    public static func received(agencyID: String, referralID: String, on connection: PostgresConnection) throws -> UUID? {
        try connection.query(
            "SELECT family_id FROM referral WHERE agency_id = \(agencyID) AND referral_id = \(referralID)",
            preparedAs: "referral_received"
        ).decode(UUID.self).first
    }

    public static func insert(_ row: Row, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO referral (agency_id, referral_id, family_id, reasons, submitted_at, review_note)
            VALUES (\(row.agencyID), \(row.referralID), \(row.familyID), \(row.reasons)::text[], \(row.submittedAt), \(row.reviewNote))
            """, preparedAs: "referral_insert")
    }
}
