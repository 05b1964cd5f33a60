import Foundation
import Postgres

/// Queries of `unmatched_evidence`: records about people no referral has
/// named yet, waiting for one that does.
public enum UnmatchedEvidenceTable {
    public struct Row: Sendable, Hashable {
        public var agencyID: String
        public var recordID: String
        public var identityKey: String
        /// The fact, as JSON.
        public var fact: String

        public init(agencyID: String, recordID: String, identityKey: String, fact: String) {
            self.agencyID = agencyID
            self.recordID = recordID
            self.identityKey = identityKey
            self.fact = fact
        }
    }

    /// Keeps records, in one statement; a record the agency sends again
    /// replaces the one kept. Of several rows with one id, give the latest only.
    public static func hold(_ rows: [Row], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO unmatched_evidence (agency_id, record_id, identity_key, fact)
            SELECT agency_id, record_id, identity_key, fact::jsonb
            FROM unnest(\(rows.map(\.agencyID))::text[], \(rows.map(\.recordID))::text[], \(rows.map(\.identityKey))::text[],
                        \(rows.map(\.fact))::text[]) AS held (agency_id, record_id, identity_key, fact)
            ON CONFLICT (agency_id, record_id) DO UPDATE SET identity_key = excluded.identity_key, fact = excluded.fact,
                                                            received_at = now()
            """, preparedAs: "unmatched_evidence_hold")
    }

    /// Removes and returns the records about these people, oldest first.
    public static func release(identityKeys: [String], on connection: PostgresConnection) throws -> [Row] {
        guard !identityKeys.isEmpty else { return [] }
        return try connection.query(
            """
            DELETE FROM unmatched_evidence WHERE identity_key = ANY(\(identityKeys)::text[])
            RETURNING agency_id, record_id, identity_key, fact::text, received_at
            """, preparedAs: "unmatched_evidence_release"
        ).decode((String, String, String, String, Date).self)
            .sorted { $0.4 < $1.4 }
            .map { Row(agencyID: $0.0, recordID: $0.1, identityKey: $0.2, fact: $0.3) }
    }
}
