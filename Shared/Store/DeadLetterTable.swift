import Foundation
import Postgres

/// Queries of `dead_letter`: the messages the stages set aside, with their
/// original bytes, which only this table keeps.
public enum DeadLetterTable {
    /// A message a stage sets aside, as it arrived.
    public struct Entry: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        /// The producer's `event-id`, if it gave one.
        public var eventID: String?
        public var reason: String
        public var original: Original

        public init(topic: String, partition: Int32, offset: Int64, eventID: String?, reason: String, original: Original) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.eventID = eventID
            self.reason = reason
            self.original = original
        }
    }

    /// A message's bytes as the broker delivered them.
    public struct Original: Sendable, Hashable {
        public var key: [UInt8]?
        public var payload: [UInt8]
        public var headers: [OutboxHeader]

        public init(key: [UInt8]?, payload: [UInt8], headers: [OutboxHeader]) {
            self.key = key
            self.payload = payload
            self.headers = headers
        }
    }

    /// A dead letter as listed: where it came from and why, never its bytes.
    public struct Letter: Sendable, Hashable {
        /// The reference the `.dlq` topic carries.
        public var id: Int64
        /// The consumer group that set it aside.
        public var service: String
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var eventID: String?
        public var reason: String
        public var deadLetteredAt: Date
        public var replay: Replay?
    }

    /// A replay of a dead letter and what became of it.
    public struct Replay: Sendable, Hashable {
        public var at: Date
        public var by: String
        /// The event id the original was sent again under.
        public var eventID: UUID
        public var outcome: Outcome

        public enum Outcome: Sendable, Hashable {
            /// Sent; not applied yet, or applied longer ago than the inbox remembers.
            case sent
            case applied(at: Date)
            /// Set aside again, as this dead letter.
            case deadLetteredAgain(id: Int64)
        }
    }

    /// Which dead letters a command takes: every condition given must hold.
    public struct Selection: Sendable, Hashable {
        public var ids: [Int64] = []
        public var topic: String?
        public var service: String?
        /// Text the reason contains, in any case.
        public var reasonContaining: String?
        public var since: Date?
        public var until: Date?
        /// Only replayed ones (true) or only ones not replayed (false).
        public var replayed: Bool?
        /// Bytes the original message holds (a request's id, as its JSON writes it).
        public var payloadContaining: [UInt8]?

        public init(
            ids: [Int64] = [], topic: String? = nil, service: String? = nil, reasonContaining: String? = nil,
            since: Date? = nil, until: Date? = nil, replayed: Bool? = nil, payloadContaining: [UInt8]? = nil
        ) {
            self.ids = ids
            self.topic = topic
            self.service = service
            self.reasonContaining = reasonContaining
            self.since = since
            self.until = until
            self.replayed = replayed
            self.payloadContaining = payloadContaining
        }

        /// `statement` (program text naming the table `letter`), restricted to
        /// what the selection takes, then `rest` (program text).
        func query(_ statement: String, then rest: String = "") -> PostgresQuery {
            """
            \(unescaped: statement)
            WHERE (cardinality(\(ids.map(Int.init))::bigint[]) = 0 OR letter.id = ANY(\(ids.map(Int.init))::bigint[]))
            AND (\(topic)::text IS NULL OR letter.source_topic = \(topic))
            AND (\(service)::text IS NULL OR letter.service = \(service))
            AND (\(reasonContaining)::text IS NULL OR strpos(lower(letter.reason), lower(\(reasonContaining))) > 0)
            AND (\(since)::timestamptz IS NULL OR letter.dead_lettered_at >= \(since))
            AND (\(until)::timestamptz IS NULL OR letter.dead_lettered_at < \(until))
            AND (\(replayed)::boolean IS NULL OR (letter.replayed_at IS NOT NULL) = \(replayed))
            AND (\(payloadContaining.map { Data($0) })::bytea IS NULL OR position(\(payloadContaining.map { Data($0) })::bytea IN letter.payload) > 0)
            \(unescaped: rest)
            """
        }
    }

    /// Records messages `service` sets aside, in its batch's transaction.
    /// - Returns: their ids, in the order of `entries`.
    public static func record(_ entries: [Entry], service: String, on connection: PostgresConnection) throws -> [Int64] {
        guard !entries.isEmpty else { return [] }
        let headers = entries.map { OutboxTable.encodeHeaders($0.original.headers) }
        // Ids are drawn in the order the rows are inserted (the ORDER BY), so
        // sorted they follow the entries.
        let ids = try connection.query(
            """
            INSERT INTO dead_letter (service, source_topic, source_partition, source_offset, event_id, reason, message_key, payload, headers)
            SELECT \(service), topic, kafka_partition, kafka_offset, event_id, reason, message_key, payload, headers::jsonb
            FROM unnest(\(entries.map(\.topic))::text[], \(entries.map { Int($0.partition) })::integer[],
                        \(entries.map { Int($0.offset) })::bigint[], \(entries.map(\.eventID))::text[], \(entries.map(\.reason))::text[],
                        \(entries.map { $0.original.key.map { Data($0) } })::bytea[], \(entries.map { Data($0.original.payload) })::bytea[],
                        \(headers)::text[])
                 WITH ORDINALITY AS letter (topic, kafka_partition, kafka_offset, event_id, reason, message_key, payload, headers, n)
            ORDER BY n
            RETURNING id
            """, preparedAs: "dead_letter_record"
        ).decode(Int64.self)
        return ids.sorted()
    }

    /// The dead letters `selection` takes, oldest first, at most `limit`.
    public static func list(_ selection: Selection, limit: Int, on connection: PostgresConnection) throws -> [Letter] {
        let rows = try connection.query(
            selection.query(
                """
                SELECT \(letterColumns), letter.replayed_at, letter.replayed_by, letter.replay_event_id, again.id, applied.applied_at
                FROM dead_letter AS letter
                LEFT JOIN LATERAL (
                    SELECT id FROM dead_letter AS later
                    WHERE later.event_id = letter.replay_event_id::text AND later.service = letter.service
                    ORDER BY id LIMIT 1) AS again ON true
                LEFT JOIN inbox_event AS applied ON applied.consumer = letter.service AND applied.event_id = letter.replay_event_id::text
                """,
                then: "ORDER BY letter.id LIMIT \(max(0, limit))"))
        return try rows.map { row in
            var letter = try Letter(row)
            if let at = try row.decode(column: 8, as: Date?.self), let by = try row.decode(column: 9, as: String?.self),
                let eventID = try row.decode(column: 10, as: UUID?.self)
            {
                let outcome: Replay.Outcome =
                    try row.decode(column: 11, as: Int64?.self).map { .deadLetteredAgain(id: $0) }
                    ?? row.decode(column: 12, as: Date?.self).map { .applied(at: $0) } ?? .sent
                letter.replay = Replay(at: at, by: by, eventID: eventID, outcome: outcome)
            }
            return letter
        }
    }

    /// How many dead letters `selection` takes.
    public static func count(_ selection: Selection, on connection: PostgresConnection) throws -> Int {
        try connection.query(selection.query("SELECT count(*) FROM dead_letter AS letter")).decode(Int.self)[0]
    }

    /// A dead letter's original bytes.
    public static func original(of id: Int64, on connection: PostgresConnection) throws -> Original? {
        try connection.query("SELECT \(unescaped: originalColumns) FROM dead_letter AS letter WHERE id = \(id)")
            .map { try Original($0, from: 0) }.first
    }

    /// Locks, in the caller's transaction, the dead letters `selection`
    /// takes that were never replayed, and reads their bytes; letters
    /// another replay holds are waited for, then skipped if it replayed them.
    public static func lockForReplay(_ selection: Selection, on connection: PostgresConnection) throws -> [(Letter, Original)] {
        var unreplayed = selection
        unreplayed.replayed = false
        let rows = try connection.query(
            unreplayed.query(
                """
                SELECT \(letterColumns), \(originalColumns) FROM dead_letter AS letter
                """,
                then: "ORDER BY letter.id FOR UPDATE"))
        return try rows.map { row in (try Letter(row), try Original(row, from: 8)) }
    }

    /// The columns a ``Letter`` is read from, in its order (the table named `letter`).
    private static let letterColumns = """
        letter.id, letter.service, letter.source_topic, letter.source_partition, letter.source_offset, letter.event_id, \
        letter.reason, letter.dead_lettered_at
        """

    /// The columns an ``Original`` is read from, in its order.
    private static let originalColumns = "letter.message_key, letter.payload, letter.headers::text"

    /// Records, in the caller's transaction, that these dead letters were
    /// sent again under these event ids, by `replayer`.
    public static func markReplayed(_ replays: [(id: Int64, eventID: UUID)], by replayer: String, on connection: PostgresConnection) throws {
        guard !replays.isEmpty else { return }
        try connection.execute(
            """
            UPDATE dead_letter SET replayed_at = now(), replayed_by = \(replayer), replay_event_id = replay.event_id
            FROM unnest(\(replays.map { Int($0.id) })::bigint[], \(replays.map(\.eventID))::uuid[]) AS replay (id, event_id)
            WHERE dead_letter.id = replay.id
            """)
    }

    /// Deletes the dead letters `selection` takes.
    /// - Returns: how many were deleted.
    public static func purge(_ selection: Selection, on connection: PostgresConnection) throws -> Int {
        try connection.execute(selection.query("DELETE FROM dead_letter AS letter"))
    }

    /// Deletes `service`'s dead letters set aside before `cutoff`, at most `limit` of them.
    /// - Returns: how many were deleted.
    public static func prune(service: String, deadLetteredBefore cutoff: Date, limit: Int, on connection: PostgresConnection) throws -> Int {
        try connection.execute(
            """
            DELETE FROM dead_letter WHERE id IN (
                SELECT id FROM dead_letter WHERE service = \(service) AND dead_lettered_at < \(cutoff) LIMIT \(limit))
            """, preparedAs: "dead_letter_prune")
    }

    /// The table's size on disk, indexes included, in bytes.
    public static func sizeInBytes(on connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT pg_total_relation_size('dead_letter'::regclass)").decode(Int.self)[0]
    }
}

extension DeadLetterTable.Letter {
    /// Reads ``DeadLetterTable/letterColumns``, the row's first columns; no replay.
    fileprivate init(_ row: PostgresRow) throws {
        let (id, service, topic, partition, offset, eventID, reason, deadLetteredAt) =
            try row.decode((Int64, String, String, Int32, Int64, String?, String, Date).self)
        self.init(
            id: id, service: service, topic: topic, partition: partition, offset: offset, eventID: eventID, reason: reason,
            deadLetteredAt: deadLetteredAt, replay: nil)
    }
}

extension DeadLetterTable.Original {
    /// Reads ``DeadLetterTable/originalColumns`` from `column` on.
    fileprivate init(_ row: PostgresRow, from column: Int) throws {
        self.init(
            key: try row.decode(column: column, as: Data?.self).map { [UInt8]($0) },
            payload: [UInt8](try row.decode(column: column + 1, as: Data.self)),
            headers: OutboxTable.decodeHeaders(try row.decode(column: column + 2, as: OutboxTable.StoredHeaders.self)))
    }
}
