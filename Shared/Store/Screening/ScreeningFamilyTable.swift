import Foundation
import Postgres

/// Queries of `screening_family`: the families screening knows, pseudonymous.
public enum ScreeningFamilyTable {
    /// Records families' members (kept as JSON arrays of objects with an
    /// `id`), in one statement, adding to what was known: a family's members
    /// only ever grow (intake never removes anyone, and a member's date of
    /// birth never changes), so an acceptance that comes late, or after a
    /// merge added people, never drops anyone. Give each family once.
    public static func upsert<Members: Codable & Sendable>(
        _ families: [(familyID: UUID, members: Members)], on connection: PostgresConnection
    ) throws {
        guard !families.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO screening_family (family_id, members)
            SELECT family_id, members::jsonb FROM unnest(\(families.map(\.familyID))::uuid[], \(families.map { PostgresJSON($0.members) })::text[])
                 AS family (family_id, members)
            ON CONFLICT (family_id) DO UPDATE SET updated_at = now(), members = (
                SELECT jsonb_agg(member ORDER BY member ->> 'id') FROM (
                    SELECT DISTINCT ON (member ->> 'id') member
                    FROM jsonb_array_elements(excluded.members || screening_family.members) AS member ORDER BY member ->> 'id') AS members)
            """, preparedAs: "screening_family_upsert")
    }

    /// Forgets families merged into others: they are never decided again.
    public static func remove(_ familyIDs: [UUID], on connection: PostgresConnection) throws {
        guard !familyIDs.isEmpty else { return }
        try connection.execute("DELETE FROM screening_family WHERE family_id = ANY(\(familyIDs)::uuid[])", preparedAs: "screening_family_remove")
    }

    /// The members of those of these families screening knows.
    public static func members<Members: StoredJSON>(
        of familyIDs: [UUID], as members: Members.Type, on connection: PostgresConnection
    ) throws -> [UUID: Members] {
        try byFamily(
            connection.query(
                "SELECT family_id, members::text FROM screening_family WHERE family_id = ANY(\(familyIDs)::uuid[])",
                preparedAs: "screening_family_members"))
    }

    /// The members of every family screening knows whose id lies from
    /// `first` through `last` (in Postgres's order of ids).
    public static func members<Members: StoredJSON>(
        ofFamiliesFrom first: UUID, through last: UUID, as members: Members.Type, on connection: PostgresConnection
    ) throws -> [UUID: Members] {
        try byFamily(
            connection.query(
                "SELECT family_id, members::text FROM screening_family WHERE family_id BETWEEN \(first) AND \(last)",
                preparedAs: "screening_family_members_of_range"))
    }

    /// Rows of `(family_id, members::text)`, by family.
    private static func byFamily<Members: StoredJSON>(_ rows: PostgresRows) throws -> [UUID: Members] {
        Dictionary(uniqueKeysWithValues: try rows.decode((UUID, StoredJSONColumn<Members>).self).map { ($0.0, $0.1.value) })
    }

    /// Every family screening knows, in id order.
    public static func allFamilyIDs(on connection: PostgresConnection) throws -> [UUID] {
        try connection.query("SELECT family_id FROM screening_family ORDER BY family_id").decode(UUID.self)
    }
}
