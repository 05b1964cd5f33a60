import Foundation
import Postgres

/// Queries of `receipt`: intake's verdict on every message an agency sent.
public enum ReceiptTable {
    public struct Row: Sendable, Hashable {
        public var agencyID: String
        public var eventID: String?
        /// `referral` or `evidence`; nil when a refused message could not be read that far.
        public var kind: String?
        public var itemID: String?
        public var verdict: String
        public var familyID: UUID?
        public var memberLabels: [String]
        public var detail: String
        public var issuedAt: Date

        public init(
            agencyID: String, eventID: String?, kind: String?, itemID: String?, verdict: String, familyID: UUID?, memberLabels: [String],
            detail: String, issuedAt: Date
        ) {
            self.agencyID = agencyID
            self.eventID = eventID
            self.kind = kind
            self.itemID = itemID
            self.verdict = verdict
            self.familyID = familyID
            self.memberLabels = memberLabels
            self.detail = detail
            self.issuedAt = issuedAt
        }
    }

    /// Records receipts, in one statement.
    public static func insert(_ rows: [Row], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO receipt (agency_id, event_id, kind, item_id, verdict, family_id, member_labels, detail, issued_at)
            SELECT agency_id, event_id, kind, item_id, verdict, family_id, member_labels, detail, issued_at
            FROM unnest(\(rows.map(\.agencyID))::text[], \(rows.map(\.eventID))::text[], \(rows.map(\.kind))::text[],
                        \(rows.map(\.itemID))::text[], \(rows.map(\.verdict))::text[], \(rows.map(\.familyID))::uuid[],
                        \(rows.map { $0.memberLabels.joined(separator: ",") })::text[], \(rows.map(\.detail))::text[],
                        \(rows.map(\.issuedAt))::timestamptz[])
                 AS receipt (agency_id, event_id, kind, item_id, verdict, family_id, member_labels, detail, issued_at)
            """, preparedAs: "receipts_insert")
    }

    /// The receipts of these messages, by event id (a release answers no message, so is never among them).
    public static func forEvents(_ eventIDs: [String], on connection: PostgresConnection) throws -> [Row] {
        guard !eventIDs.isEmpty else { return [] }
        return try rows(
            connection.query(
                """
                SELECT \(unescaped: columns) FROM receipt WHERE event_id = ANY(\(eventIDs)::text[]) ORDER BY receipt_id
                """, preparedAs: "receipts_for_events"))
    }

    /// An agency's receipts issued at or after `since`, oldest first.
    public static func ofAgency(_ agencyID: String, since: Date, limit: Int, on connection: PostgresConnection) throws -> [Row] {
        try rows(
            connection.query(
                """
                SELECT \(unescaped: columns) FROM receipt WHERE agency_id = \(agencyID) AND issued_at >= \(since)
                ORDER BY receipt_id LIMIT \(limit)
                """, preparedAs: "receipts_of_agency"))
    }

    private static let columns = "agency_id, event_id, kind, item_id, verdict, family_id, member_labels, detail, issued_at"

    private static func rows(_ result: PostgresRows) throws -> [Row] {
        try result.decode((String, String?, String?, String?, String, UUID?, String, String, Date).self).map {
            Row(
                agencyID: $0.0, eventID: $0.1, kind: $0.2, itemID: $0.3, verdict: $0.4, familyID: $0.5,
                memberLabels: $0.6.split(separator: ",").map(String.init), detail: $0.7, issuedAt: $0.8)
        }
    }
}
