import Foundation
import Postgres

/// An event written in a handler's transaction, for the relay to publish.
public struct OutboxEvent: Sendable, Hashable {
    public var topic: String
    public var key: [UInt8]?
    public var payload: [UInt8]
    public var headers: [OutboxHeader]
    /// The id to publish it under; nil: a new one. Given when the writer
    /// must record the id too (a dead letter's replay).
    public var eventID: UUID?

    public init(topic: String, key: [UInt8]?, payload: [UInt8], headers: [OutboxHeader] = [], eventID: UUID? = nil) {
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
        self.eventID = eventID
    }
}

public struct OutboxHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// An outbox row waiting to be published.
public struct PendingOutboxEvent: Sendable, Hashable {
    public var id: Int64
    /// Published as the `event-id` header, so consumers can skip a repeat.
    public var eventID: UUID
    public var event: OutboxEvent
}

/// Queries of `outbox_event`.
public enum OutboxTable {
    /// The channel a commit that wrote events notifies.
    public static let channel = "outbox_event"

    /// Writes events in the caller's transaction.
    /// - Parameter stage: the stage writing them (its consumer group): its relay publishes them.
    public static func append(_ events: [OutboxEvent], stage: String, on connection: PostgresConnection) throws {
        guard !events.isEmpty else { return }
        let headers = events.map { encodeHeaders($0.headers) }
        try connection.execute(
            """
            INSERT INTO outbox_event (stage, event_id, topic, message_key, payload, headers)
            SELECT \(stage), coalesce(event_id, gen_random_uuid()), topic, message_key, payload, headers::jsonb
            FROM unnest(\(events.map(\.eventID))::uuid[], \(events.map(\.topic))::text[], \(events.map { $0.key.map { Data($0) } })::bytea[],
                        \(events.map { Data($0.payload) })::bytea[], \(headers)::text[])
                 AS event (event_id, topic, message_key, payload, headers)
            """, preparedAs: "outbox_append")
    }

    /// Takes the right to publish a stage's events, if no other relay holds
    /// it, for this connection's session; ``releaseRelayLock(stage:on:)``
    /// gives it back. One relay publishes a stage's events at a time, so they
    /// leave in the order they were written. The lock is keyed by the table's
    /// own id and the stage: outboxes in other schemas of the database, and
    /// other stages, do not wait for each other.
    public static func tryRelayLock(stage: String, on connection: PostgresConnection) throws -> Bool {
        try connection.query(
            "SELECT pg_try_advisory_lock(hashtextextended('outbox_event'::regclass::oid::text || '/relay/' || \(stage), 0))"
        ).decode(Bool.self)[0]
    }

    public static func releaseRelayLock(stage: String, on connection: PostgresConnection) throws {
        try connection.execute("SELECT pg_advisory_unlock(hashtextextended('outbox_event'::regclass::oid::text || '/relay/' || \(stage), 0))")
    }

    /// A stage's oldest unpublished events (and those written before events
    /// named their stage), in the order they were written. Each stage is read
    /// in its index's order apart: one scan over both would sort every
    /// waiting event to return the first few.
    ///
    /// Runs in a transaction of its own, planned to walk the index of waiting
    /// events in order and stop at `limit`, whatever the table's statistics
    /// say: they lag a burst of writes (a rescreen writes 100,000 events in a
    /// minute), and estimating a few events waiting, the planner read every
    /// waiting event and sorted them all to return the oldest 500.
    public static func oldestUnpublished(stage: String, limit: Int, on connection: PostgresConnection) throws -> [PendingOutboxEvent] {
        try connection.withTransaction { connection in
            try connection.executeScript(
                unsafeSQL: "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off",
                name: "outbox read by its index")
            return try oldestUnpublishedInIndexOrder(stage: stage, limit: limit, on: connection)
        }
    }

    private static func oldestUnpublishedInIndexOrder(stage: String, limit: Int, on connection: PostgresConnection) throws -> [PendingOutboxEvent] {
        let rows = try connection.query(
            """
            SELECT id, event_id, topic, message_key, payload, headers FROM (
                (SELECT id, event_id, topic, message_key, payload, headers::text FROM outbox_event
                 WHERE published_at IS NULL AND stage = \(stage) ORDER BY id LIMIT \(limit))
                UNION ALL
                (SELECT id, event_id, topic, message_key, payload, headers::text FROM outbox_event
                 WHERE published_at IS NULL AND stage = '' ORDER BY id LIMIT \(limit))
            ) AS pending ORDER BY id LIMIT \(limit)
            """, preparedAs: "outbox_oldest_unpublished")
        return try rows.decode((Int64, UUID, String, Data?, Data, StoredHeaders).self).map { row in
            PendingOutboxEvent(
                id: row.0, eventID: row.1,
                event: OutboxEvent(topic: row.2, key: row.3.map { [UInt8]($0) }, payload: [UInt8](row.4), headers: decodeHeaders(row.5)))
        }
    }

    /// Marks events published.
    public static func markPublished(_ ids: [Int64], on connection: PostgresConnection) throws {
        try connection.execute(
            "UPDATE outbox_event SET published_at = now() WHERE id = ANY(\(ids.map(Int.init))::bigint[])",
            preparedAs: "outbox_mark_published")
    }

    /// Deletes a stage's events published before `cutoff`, at most `limit`
    /// of them; unpublished events are never deleted.
    /// - Returns: how many were deleted.
    public static func prune(stage: String, publishedBefore cutoff: Date, limit: Int, on connection: PostgresConnection) throws -> Int {
        try connection.execute(
            """
            DELETE FROM outbox_event WHERE id IN (
                SELECT id FROM outbox_event WHERE stage = \(stage) AND published_at < \(cutoff) LIMIT \(limit))
            """, preparedAs: "outbox_prune")
    }

    /// The table's size on disk, indexes included, in bytes.
    public static func sizeInBytes(on connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT pg_total_relation_size('outbox_event'::regclass)").decode(Int.self)[0]
    }

    /// How many of a stage's events wait, and the age in seconds of the oldest.
    public static func backlog(stage: String, on connection: PostgresConnection) throws -> (count: Int, oldestAgeSeconds: Double) {
        try connection.query(
            """
            SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
            FROM outbox_event WHERE published_at IS NULL AND stage IN (\(stage), '')
            """, preparedAs: "outbox_backlog"
        ).decode((Int, Double).self)[0]
    }

    /// Headers as the `headers` column keeps them: `[name, base64 value or null]` pairs.
    typealias StoredHeaders = PostgresJSON<[[String?]]>

    static func encodeHeaders(_ headers: [OutboxHeader]) -> StoredHeaders {
        PostgresJSON(headers.map { [$0.name, $0.value.map { Data($0).base64EncodedString() }] })
    }

    static func decodeHeaders(_ stored: StoredHeaders) -> [OutboxHeader] {
        stored.value.compactMap { pair in
            guard pair.count == 2, let name = pair[0] else { return nil }
            return OutboxHeader(name: name, value: pair[1].flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) })
        }
    }
}
