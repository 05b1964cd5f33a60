import Postgres

/// Queries of `inbox_event`: which events a consumer has applied.
public enum InboxTable {
    /// An event as the inbox records it.
    public struct Entry: Sendable, Hashable {
        public var eventID: String
        public var topic: String
        public var partition: Int32
        public var offset: Int64

        public init(eventID: String, topic: String, partition: Int32, offset: Int64) {
            self.eventID = eventID
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }
    }

    /// Records events as applied by `consumer`, in the caller's transaction.
    /// - Returns: the ids of the events not recorded before: the ones to apply.
    public static func recordNew(_ entries: [Entry], consumer: String, on connection: PostgresConnection) throws -> Set<String> {
        guard !entries.isEmpty else { return [] }
        let rows = try connection.query(
            """
            INSERT INTO inbox_event (consumer, event_id, topic, kafka_partition, kafka_offset)
            SELECT \(consumer), * FROM unnest(\(entries.map(\.eventID))::text[], \(entries.map(\.topic))::text[],
                                            \(entries.map { Int($0.partition) })::integer[], \(entries.map { Int($0.offset) })::bigint[])
            ON CONFLICT DO NOTHING
            RETURNING event_id
            """, preparedAs: "inbox_record_new")
        return Set(try rows.decode(String.self))
    }
}
