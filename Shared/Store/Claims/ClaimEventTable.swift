import Foundation
import Postgres

/// Queries of `claim_event`: every transition of every claim, appended and
/// never changed. Appending one moves its claim (the table's trigger keeps
/// `result_claim.status` in step), or fails if the claim has moved since.
public enum ClaimEventTable {
    /// A transition to make.
    public struct New: Sendable, Hashable {
        public var claimID: UUID
        public var from: String
        public var to: String
        public var madeBy: String
        public var reason: String?
        public var returnID: UUID?

        public init(claimID: UUID, from: String, to: String, madeBy: String, reason: String?, returnID: UUID?) {
            self.claimID = claimID
            self.from = from
            self.to = to
            self.madeBy = madeBy
            self.reason = reason
            self.returnID = returnID
        }
    }

    /// A transition made.
    public struct Event: Sendable, Hashable {
        public var from: String
        public var to: String
        public var madeBy: String
        public var madeAt: Date
        public var reason: String?
        public var returnID: UUID?
    }

    /// Makes these transitions, in one statement.
    public static func append(_ events: [New], on connection: PostgresConnection) throws {
        guard !events.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO claim_event (claim_id, from_status, to_status, made_by, reason, return_id)
            SELECT * FROM unnest(\(events.map(\.claimID))::uuid[], \(events.map(\.from))::text[], \(events.map(\.to))::text[],
                                 \(events.map(\.madeBy))::text[], \(events.map(\.reason))::text[], \(events.map(\.returnID))::uuid[])
            """, preparedAs: "claim_event_append")
    }

    /// A claim's transitions, oldest first.
    public static func history(of claimID: UUID, on connection: PostgresConnection) throws -> [Event] {
        try connection.query(
            """
            SELECT from_status, to_status, made_by, made_at, reason, return_id FROM claim_event
            WHERE claim_id = \(claimID) ORDER BY event_id
            """
        ).decode((String, String, String, Date, String?, UUID?).self).map {
            Event(from: $0.0, to: $0.1, madeBy: $0.2, madeAt: $0.3, reason: $0.4, returnID: $0.5)
        }
    }
}
