import Foundation
import Postgres

/// Queries of a stage's copy of the evidence matched to families:
/// `screening_evidence` or `claims_evidence`, which have the same shape.
/// A record's fact is kept as JSON (`Fact`: what the stage's messages carry).
public struct EvidenceTable<Fact: Codable & Sendable>: Sendable {
    public struct Row: Sendable {
        public var evidenceID: String
        public var familyID: UUID
        public var personID: String
        public var fact: Fact
        public var recordedAt: Date

        public init(evidenceID: String, familyID: UUID, personID: String, fact: Fact, recordedAt: Date) {
            self.evidenceID = evidenceID
            self.familyID = familyID
            self.personID = personID
            self.fact = fact
            self.recordedAt = recordedAt
        }
    }

    /// The table's name: one of a fixed pair, never from input.
    private let name: String

    public static var screening: EvidenceTable { EvidenceTable(name: "screening_evidence") }
    public static var claims: EvidenceTable { EvidenceTable(name: "claims_evidence") }

    /// Records evidence; a record with a known id corrects the one kept,
    /// and may move it to another family.
    /// - Returns: the families that held these records before: a record
    ///   moved away changes its old family's evidence too.
    public func upsert(_ rows: [Row], on connection: PostgresConnection) throws -> Set<UUID> {
        guard !rows.isEmpty else { return [] }
        // One snapshot: `previous` reads the rows as they were before the insert.
        return Set(
            try connection.query(
                """
                WITH previous AS (
                    SELECT family_id FROM \(identifier: name) WHERE evidence_id = ANY(\(rows.map(\.evidenceID))::text[])
                ), upserted AS (
                    INSERT INTO \(identifier: name) (evidence_id, family_id, person_id, fact, recorded_at)
                    SELECT evidence_id, family_id, person_id, fact::jsonb, recorded_at
                    FROM unnest(\(rows.map(\.evidenceID))::text[], \(rows.map(\.familyID))::uuid[], \(rows.map(\.personID))::text[],
                                \(rows.map { PostgresJSON($0.fact) })::text[], \(rows.map(\.recordedAt))::timestamptz[])
                         AS row (evidence_id, family_id, person_id, fact, recorded_at)
                    ON CONFLICT (evidence_id) DO UPDATE SET family_id = excluded.family_id, person_id = excluded.person_id,
                                                            fact = excluded.fact, recorded_at = excluded.recorded_at
                )
                SELECT DISTINCT family_id FROM previous
                """, preparedAs: name + "_upsert"
            ).decode(UUID.self))
    }

    /// Moves the evidence of families merged into others to the families
    /// kept, each member's records to their label there, in one statement.
    public func move(_ merges: [(from: UUID, to: UUID, labels: [String: String])], on connection: PostgresConnection) throws {
        guard !merges.isEmpty else { return }
        try connection.execute(
            """
            UPDATE \(identifier: name) AS evidence SET family_id = merge.kept, person_id = coalesce(merge.labels::jsonb ->> evidence.person_id, evidence.person_id)
            FROM unnest(\(merges.map(\.from))::uuid[], \(merges.map(\.to))::uuid[], \(merges.map { PostgresJSON($0.labels) })::text[])
                 AS merge (merged, kept, labels)
            WHERE evidence.family_id = merge.merged
            """, preparedAs: name + "_move")
    }

    /// The families that hold these records now.
    public func families(holding evidenceIDs: [String], on connection: PostgresConnection) throws -> [UUID] {
        guard !evidenceIDs.isEmpty else { return [] }
        return try connection.query(
            "SELECT DISTINCT family_id FROM \(identifier: name) WHERE evidence_id = ANY(\(evidenceIDs)::text[])",
            preparedAs: name + "_families_holding"
        ).decode(UUID.self)
    }
}

extension EvidenceTable where Fact: StoredJSON {
    /// The evidence of these families, in no particular order (without the
    /// time each record was recorded, which the rules do not read): put in
    /// order by the reader, a family's few records at a time, it costs less
    /// than Postgres sorting every family's together, on disk past its
    /// working memory.
    public func evidence(of familyIDs: [UUID], on connection: PostgresConnection) throws -> [(
        evidenceID: String, familyID: UUID, personID: String, fact: Fact
    )] {
        try Self.decodedEvidence(
            connection.query(
                """
                SELECT evidence_id, family_id, person_id, fact::text FROM \(identifier: name)
                WHERE family_id = ANY(\(familyIDs)::uuid[])
                """, preparedAs: name + "_of_families"))
    }

    /// The evidence of every family whose id lies from `first` through
    /// `last` (in Postgres's order of ids), in no particular order: for a
    /// reader of every family, slice by slice. A range is one walk of the
    /// family index; a list of thousands of ids had the planner scan the
    /// whole table for each slice, matching every row against the list.
    public func evidence(ofFamiliesFrom first: UUID, through last: UUID, on connection: PostgresConnection) throws -> [(
        evidenceID: String, familyID: UUID, personID: String, fact: Fact
    )] {
        try Self.decodedEvidence(
            connection.query(
                """
                SELECT evidence_id, family_id, person_id, fact::text FROM \(identifier: name)
                WHERE family_id BETWEEN \(first) AND \(last)
                """, preparedAs: name + "_of_family_range"))
    }

    /// Rows of `(evidence_id, family_id, person_id, fact::text)`.
    private static func decodedEvidence(_ rows: PostgresRows) throws -> [(evidenceID: String, familyID: UUID, personID: String, fact: Fact)] {
        try rows.decode((String, UUID, String, StoredJSONColumn<Fact>).self).map {
            (evidenceID: $0.0, familyID: $0.1, personID: $0.2, fact: $0.3.value)
        }
    }
}

extension EvidenceTable.Row: Equatable where Fact: Equatable {}
extension EvidenceTable.Row: Hashable where Fact: Hashable {}
