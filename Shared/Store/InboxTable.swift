import Foundation
import Postgres

/// Queries of `inbox_event`: which events a consumer has applied.
public enum InboxTable {
    /// An event as the inbox records it.
    public struct Entry: Sendable, Hashable {
        public var eventID: String
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        /// A digest of the event's key and value.
        public var contentDigest: [UInt8]

        public init(eventID: String, topic: String, partition: Int32, offset: Int64, contentDigest: [UInt8]) {
            self.eventID = eventID
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.contentDigest = contentDigest
        }
    }

    /// Records events as applied by `consumer`, in the caller's transaction,
    /// when none of them was recorded before: the usual case, and the cheap
    /// one (no conflict check per row).
    /// - Throws: ``InboxTable/SeenBefore`` when one was, or came twice; the
    ///   transaction is then aborted: roll it back and use
    ///   ``recordNew(_:consumer:on:)``.
    public static func recordAll(_ entries: [Entry], consumer: String, on connection: PostgresConnection) throws {
        guard !entries.isEmpty else { return }
        do {
            try connection.execute(insert(entries, consumer: consumer, skippingRecorded: false), preparedAs: "inbox_record_all")
        } catch let error as PostgresError where error.isUniqueViolation {
            throw SeenBefore()
        }
    }

    /// Some events of a batch were recorded before.
    public struct SeenBefore: Error, Sendable {}

    /// Records events as applied by `consumer`, in the caller's transaction,
    /// skipping those recorded before.
    /// - Returns: the ids of the events not recorded before: the ones to apply.
    public static func recordNew(_ entries: [Entry], consumer: String, on connection: PostgresConnection) throws -> Set<String> {
        guard !entries.isEmpty else { return [] }
        let rows = try connection.query(insert(entries, consumer: consumer, skippingRecorded: true), preparedAs: "inbox_record_new")
        return Set(try rows.decode(String.self))
    }

    /// The content digests recorded with these events, where one was.
    public static func contentDigests(of eventIDs: [String], consumer: String, on connection: PostgresConnection) throws -> [String: [UInt8]] {
        guard !eventIDs.isEmpty else { return [:] }
        let rows = try connection.query(
            """
            SELECT event_id, content_digest FROM inbox_event
            WHERE consumer = \(consumer) AND event_id = ANY(\(eventIDs)::text[]) AND content_digest IS NOT NULL
            """, preparedAs: "inbox_content_digests"
        ).decode((String, Data).self)
        return Dictionary(rows.map { ($0.0, [UInt8]($0.1)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Forgets, for `consumer`, events applied before `cutoff`, at most
    /// `limit` of them: a redelivery of one of them later would be applied
    /// again, so the cutoff must lie beyond the longest redelivery to survive.
    /// - Returns: how many were forgotten.
    public static func prune(consumer: String, appliedBefore cutoff: Date, limit: Int, on connection: PostgresConnection) throws -> Int {
        try connection.execute(
            """
            DELETE FROM inbox_event WHERE (consumer, event_id) IN (
                SELECT consumer, event_id FROM inbox_event WHERE consumer = \(consumer) AND applied_at < \(cutoff) LIMIT \(limit))
            """, preparedAs: "inbox_prune")
    }

    /// The table's size on disk, indexes included, in bytes.
    public static func sizeInBytes(on connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT pg_total_relation_size('inbox_event'::regclass)").decode(Int.self)[0]
    }

    private static func insert(_ entries: [Entry], consumer: String, skippingRecorded: Bool) -> PostgresQuery {
        """
        INSERT INTO inbox_event (consumer, event_id, topic, kafka_partition, kafka_offset, content_digest)
        SELECT \(consumer), * FROM unnest(\(entries.map(\.eventID))::text[], \(entries.map(\.topic))::text[],
                                        \(entries.map { Int($0.partition) })::integer[], \(entries.map { Int($0.offset) })::bigint[],
                                        \(entries.map { Data($0.contentDigest) })::bytea[])
        \(unescaped: skippingRecorded ? "ON CONFLICT DO NOTHING RETURNING event_id" : "")
        """
    }
}
