import Foundation
import Postgres

/// Queries of a stage's record of the families merged into others:
/// `screening_merged_family` or `claims_merged_family`, which have the same
/// shape. A message about a merged family that was on its way when the merge
/// came is applied to the family kept, its member relabelled.
public struct MergedFamilyTable: Sendable {
    /// Where a merged family went: the family kept, and each member's label there.
    public struct Merge: Sendable, Hashable {
        public var familyID: UUID
        public var labels: [String: String]

        public init(familyID: UUID, labels: [String: String]) {
            self.familyID = familyID
            self.labels = labels
        }
    }

    /// The table's name: one of a fixed pair, never from input.
    private let name: String

    public static var screening: MergedFamilyTable { MergedFamilyTable(name: "screening_merged_family") }
    public static var claims: MergedFamilyTable { MergedFamilyTable(name: "claims_merged_family") }

    /// Where those of these families that were merged went.
    public func merges(of familyIDs: [UUID], on connection: PostgresConnection) throws -> [UUID: Merge] {
        guard !familyIDs.isEmpty else { return [:] }
        return try merges(
            connection.query(
                "SELECT merged_family_id, family_id, labels::text FROM \(identifier: name) WHERE merged_family_id = ANY(\(familyIDs)::uuid[])",
                preparedAs: name + "_of"))
    }

    /// The families merged into these (directly or through a family merged since).
    public func merged(into familyIDs: [UUID], on connection: PostgresConnection) throws -> [UUID: Merge] {
        guard !familyIDs.isEmpty else { return [:] }
        return try merges(
            connection.query(
                "SELECT merged_family_id, family_id, labels::text FROM \(identifier: name) WHERE family_id = ANY(\(familyIDs)::uuid[])",
                preparedAs: name + "_into"))
    }

    /// Every merged family, and where it went.
    public func all(on connection: PostgresConnection) throws -> [UUID: Merge] {
        try merges(connection.query("SELECT merged_family_id, family_id, labels::text FROM \(identifier: name)", preparedAs: name + "_all"))
    }

    /// Records merges (a merged family given once), in one statement. One
    /// recorded before is replaced: a family merged into a family merged
    /// since goes to where that one went.
    public func record(_ merges: [UUID: Merge], at now: Date, on connection: PostgresConnection) throws {
        guard !merges.isEmpty else { return }
        let rows = merges.sorted { $0.key < $1.key }
        try connection.execute(
            """
            INSERT INTO \(identifier: name) (merged_family_id, family_id, labels, merged_at)
            SELECT merged_family_id, family_id, labels::jsonb, \(now)
            FROM unnest(\(rows.map(\.key))::uuid[], \(rows.map(\.value.familyID))::uuid[], \(rows.map { PostgresJSON($0.value.labels) })::text[])
                 AS merge (merged_family_id, family_id, labels)
            ON CONFLICT (merged_family_id) DO UPDATE SET family_id = excluded.family_id, labels = excluded.labels
            """, preparedAs: name + "_record")
    }

    private func merges(_ result: PostgresRows) throws -> [UUID: Merge] {
        Dictionary(
            try result.decode((UUID, UUID, PostgresJSON<[String: String]>).self).map { ($0.0, Merge(familyID: $0.1, labels: $0.2.value)) },
            uniquingKeysWith: { first, _ in first })
    }
}
