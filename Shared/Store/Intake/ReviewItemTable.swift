import Foundation
import Postgres

/// Queries of `review_item`: intake's review queue, the possible matches a
/// co-ordinator decides. Items name families and member labels, never people.
public enum ReviewItemTable {
    /// Why an item was raised.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// A referral named people intake knows in two families.
        case twoFamilies = "two-families"
        /// Someone a referral named may be someone intake knows in another family.
        case nearMatch = "near-match"
    }

    /// An item matching raises.
    public struct NewItem: Sendable, Hashable {
        public var reason: Reason
        /// The family the referral went to.
        public var familyID: UUID
        /// The family it may be the same as.
        public var otherFamilyID: UUID
        public var agencyID: String
        public var referralID: String
        public var detail: String

        public init(reason: Reason, familyID: UUID, otherFamilyID: UUID, agencyID: String, referralID: String, detail: String) {
            self.reason = reason
            self.familyID = familyID
            self.otherFamilyID = otherFamilyID
            self.agencyID = agencyID
            self.referralID = referralID
            self.detail = detail
        }
    }

    /// Raises items, in one statement: one per pair of families, ever. A
    /// pair raised before (open, merged or dismissed) is not raised again, so
    /// a co-ordinator who found two families to be two is not asked twice.
    /// Give each pair once.
    /// - Returns: how many were raised.
    @discardableResult
    public static func raise(_ items: [NewItem], at now: Date, on connection: PostgresConnection) throws -> Int {
        guard !items.isEmpty else { return 0 }
        return try connection.execute(
            """
            INSERT INTO review_item (reason, family_id, other_family_id, agency_id, referral_id, detail, raised_at)
            SELECT item.reason, item.family_id, item.other_family_id, item.agency_id, item.referral_id, item.detail, \(now)
            FROM unnest(\(items.map(\.reason.rawValue))::text[], \(items.map(\.familyID))::uuid[], \(items.map(\.otherFamilyID))::uuid[],
                        \(items.map(\.agencyID))::text[], \(items.map(\.referralID))::text[], \(items.map(\.detail))::text[])
                 AS item (reason, family_id, other_family_id, agency_id, referral_id, detail)
            WHERE NOT EXISTS (
                SELECT 1 FROM review_item raised
                WHERE (raised.family_id = item.family_id AND raised.other_family_id = item.other_family_id)
                   OR (raised.family_id = item.other_family_id AND raised.other_family_id = item.family_id))
            """, preparedAs: "review_items_raise")
    }

    /// An item, as the queue lists it.
    public struct Item: Sendable, Hashable {
        public var itemID: Int
        public var reason: String
        public var familyID: UUID
        public var otherFamilyID: UUID?
        public var agencyID: String
        public var referralID: String
        public var detail: String
        public var raisedAt: Date
        /// `merged` or `dismissed`; nil while open.
        public var resolution: String?
        public var resolvedBy: String?
        public var resolvedAt: Date?
        public var resolutionNote: String?
    }

    /// Items raised at or after `since`, oldest first; only the open ones unless `all`.
    public static func list(all: Bool, since: Date, limit: Int, offset: Int, on connection: PostgresConnection) throws -> [Item] {
        try items(
            connection.query(
                """
                SELECT \(unescaped: columns) FROM review_item
                WHERE (\(all)::boolean OR resolution IS NULL) AND raised_at >= \(since)
                ORDER BY item_id LIMIT \(limit) OFFSET \(offset)
                """, preparedAs: "review_items_list"))
    }

    /// One item, locked until the transaction ends (nil: there is none).
    public static func lock(_ itemID: Int, on connection: PostgresConnection) throws -> Item? {
        try items(
            connection.query("SELECT \(unescaped: columns) FROM review_item WHERE item_id = \(itemID) FOR UPDATE", preparedAs: "review_item_lock")
        ).first
    }

    /// The open items of each family (as either family of the item).
    public static func openItems(on connection: PostgresConnection) throws -> [UUID: [Item]] {
        let open = try items(
            connection.query("SELECT \(unescaped: columns) FROM review_item WHERE resolution IS NULL ORDER BY item_id", preparedAs: "review_items_open"))
        var byFamily: [UUID: [Item]] = [:]
        for item in open {
            byFamily[item.familyID, default: []].append(item)
            if let other = item.otherFamilyID, other != item.familyID { byFamily[other, default: []].append(item) }
        }
        return byFamily
    }

    /// Records that a co-ordinator found an open item no match.
    public static func dismiss(_ itemID: Int, by user: String, note: String?, at now: Date, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            UPDATE review_item SET resolution = 'dismissed', resolved_by = \(user), resolved_at = \(now), resolution_note = \(note)
            WHERE item_id = \(itemID) AND resolution IS NULL
            """, preparedAs: "review_item_dismiss")
    }

    /// After `merged` was merged into `kept`: the open items between the two
    /// are resolved as merged, and every other item naming `merged` names
    /// `kept` instead (its history is in `family_merge`).
    /// - Returns: the items resolved.
    public static func recordMerge(
        of merged: UUID, into kept: UUID, by user: String, at now: Date, on connection: PostgresConnection
    ) throws -> [Int] {
        let resolved = try connection.query(
            """
            UPDATE review_item SET resolution = 'merged', resolved_by = \(user), resolved_at = \(now),
                                   resolution_note = \("family \(merged.uuidString.lowercased()) merged into \(kept.uuidString.lowercased())")
            WHERE resolution IS NULL AND ((family_id = \(merged) AND other_family_id = \(kept)) OR (family_id = \(kept) AND other_family_id = \(merged)))
            RETURNING item_id
            """, preparedAs: "review_items_resolve_merged"
        ).decode(Int.self)
        try connection.execute(
            """
            UPDATE review_item SET family_id = CASE WHEN family_id = \(merged) THEN \(kept) ELSE family_id END,
                                   other_family_id = CASE WHEN other_family_id = \(merged) THEN \(kept) ELSE other_family_id END
            WHERE resolution IS NULL AND (family_id = \(merged) OR other_family_id = \(merged))
            """, preparedAs: "review_items_follow_merge")
        return resolved.sorted()
    }

    private static let columns = """
        item_id, reason, family_id, other_family_id, agency_id, referral_id, detail, raised_at, resolution, resolved_by, resolved_at, resolution_note
        """

    private static func items(_ result: PostgresRows) throws -> [Item] {
        try result.decode((Int, String, UUID, UUID?, String, String, String, Date, String?, String?, Date?, String?).self).map {
            Item(
                itemID: $0.0, reason: $0.1, familyID: $0.2, otherFamilyID: $0.3, agencyID: $0.4, referralID: $0.5, detail: $0.6, raisedAt: $0.7,
                resolution: $0.8, resolvedBy: $0.9, resolvedAt: $0.10, resolutionNote: $0.11)
        }
    }
}
