import Foundation
import Postgres

/// Queries of `unmatched_evidence`: records about people no referral has
/// named yet, waiting for one that does. A record's fact is kept as JSON
/// (`Fact`: what the agencies' records carry).
public enum UnmatchedEvidenceTable {
    public struct Row<Fact: Codable & Sendable>: Sendable {
        public var agencyID: String
        public var recordID: String
        public var identityKey: String
        public var fact: Fact

        public init(agencyID: String, recordID: String, identityKey: String, fact: Fact) {
            self.agencyID = agencyID
            self.recordID = recordID
            self.identityKey = identityKey
            self.fact = fact
        }
    }

    /// Keeps records, in one statement; a record the agency sends again
    /// replaces the one kept. Of several rows with one id, give the latest only.
    public static func hold<Fact>(_ rows: [Row<Fact>], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO unmatched_evidence (agency_id, record_id, identity_key, fact)
            SELECT agency_id, record_id, identity_key, fact::jsonb
            FROM unnest(\(rows.map(\.agencyID))::text[], \(rows.map(\.recordID))::text[], \(rows.map(\.identityKey))::text[],
                        \(rows.map { PostgresJSON($0.fact) })::text[]) AS held (agency_id, record_id, identity_key, fact)
            ON CONFLICT (agency_id, record_id) DO UPDATE SET identity_key = excluded.identity_key, fact = excluded.fact,
                                                            received_at = now()
            """, preparedAs: "unmatched_evidence_hold")
    }

    /// Removes and returns the records about these people, oldest first.
    public static func release<Fact>(
        identityKeys: [String], as fact: Fact.Type, on connection: PostgresConnection
    ) throws -> [Row<Fact>] {
        guard !identityKeys.isEmpty else { return [] }
        return try connection.query(
            """
            DELETE FROM unmatched_evidence WHERE identity_key = ANY(\(identityKeys)::text[])
            RETURNING agency_id, record_id, identity_key, fact::text, received_at
            """, preparedAs: "unmatched_evidence_release"
        ).decode((String, String, String, PostgresJSON<Fact>, Date).self)
            .sorted { $0.4 < $1.4 }
            .map { Row(agencyID: $0.0, recordID: $0.1, identityKey: $0.2, fact: $0.3.value) }
    }
}

extension UnmatchedEvidenceTable.Row: Equatable where Fact: Equatable {}
extension UnmatchedEvidenceTable.Row: Hashable where Fact: Hashable {}
