import Foundation
import Postgres

/// Queries of `ruleset`: each ruleset screening has started with, by id and
/// version, with its content hash and its file's text. An id and version
/// name one content: screening refuses to start with other content under a
/// recorded id and version.
public enum RulesetTable {
    /// A ruleset as recorded.
    public struct Recorded: Sendable, Hashable {
        public var id: String
        public var version: String
        /// SHA-256 of the file, in hex.
        public var contentHash: String
        /// The file's text; nil for a ruleset known only from decisions made
        /// before rulesets were recorded, until screening starts with it again.
        public var content: String?
        public var firstStartedAt: Date
        public var lastStartedAt: Date

        public init(id: String, version: String, contentHash: String, content: String?, firstStartedAt: Date, lastStartedAt: Date) {
            self.id = id
            self.version = version
            self.contentHash = contentHash
            self.content = content
            self.firstStartedAt = firstStartedAt
            self.lastStartedAt = lastStartedAt
        }
    }

    /// What recording a start found.
    public enum Start: Sendable, Equatable {
        /// The ruleset is recorded (now, or before with the same content), started now.
        case recorded
        /// Its id and version are recorded with other content, whose hash this is; nothing changed.
        case conflicting(recordedHash: String)
    }

    /// Records that screening starts with a ruleset, in the caller's
    /// transaction: a new id and version is added, one recorded with the same
    /// content hash is marked started now (and gets its text if it had none).
    /// Replicas starting at once with the same ruleset both record it.
    /// - Returns: ``Start/conflicting(recordedHash:)`` when the id and version
    ///   are recorded with another hash.
    public static func recordStart(
        id: String, version: String, contentHash: String, content: String, on connection: PostgresConnection
    ) throws -> Start {
        let started = try connection.query(
            """
            INSERT INTO ruleset (ruleset_id, ruleset_version, content_hash, content)
            VALUES (\(id), \(version), \(contentHash), \(content))
            ON CONFLICT (ruleset_id, ruleset_version) DO UPDATE
            SET last_started_at = now(), content = coalesce(ruleset.content, EXCLUDED.content)
            WHERE ruleset.content_hash = EXCLUDED.content_hash
            RETURNING content_hash
            """
        ).decode(String.self)
        guard started.isEmpty else { return .recorded }
        // A statement of its own, so it sees the row a replica starting at the same time committed.
        let recorded = try connection.query(
            "SELECT content_hash FROM ruleset WHERE ruleset_id = \(id) AND ruleset_version = \(version)"
        ).decode(String.self)
        return .conflicting(recordedHash: recorded.first ?? "")
    }

    /// Every recorded ruleset, by id and version.
    public static func all(on connection: PostgresConnection) throws -> [Recorded] {
        try select(connection.query(
            """
            SELECT ruleset_id, ruleset_version, content_hash, content, first_started_at, last_started_at
            FROM ruleset ORDER BY ruleset_id, ruleset_version
            """))
    }

    /// The recorded versions of a ruleset, the one started last first; only
    /// `version` when it is given.
    public static func versions(of id: String, version: String? = nil, on connection: PostgresConnection) throws -> [Recorded] {
        try select(connection.query(
            """
            SELECT ruleset_id, ruleset_version, content_hash, content, first_started_at, last_started_at
            FROM ruleset WHERE ruleset_id = \(id) AND (\(version)::text IS NULL OR ruleset_version = \(version))
            ORDER BY last_started_at DESC, ruleset_version DESC
            """))
    }

    private static func select(_ rows: PostgresRows) throws -> [Recorded] {
        try rows.decode((String, String, String, String?, Date, Date).self).map {
            Recorded(id: $0.0, version: $0.1, contentHash: $0.2, content: $0.3, firstStartedAt: $0.4, lastStartedAt: $0.5)
        }
    }
}
