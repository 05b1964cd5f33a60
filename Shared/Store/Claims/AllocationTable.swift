import Foundation
import Postgres

/// Queries of the authority's allocation: `claims_allocation` (the most
/// families a financial year's claims may be for, and how many were
/// counted), its changes, the families counted against each year and those
/// held back when none was left. The database keeps each year within its
/// allocation however many claims replicas race (migration 0022).
public enum AllocationTable {
    public struct Row: Sendable, Hashable {
        public var financialYear: String
        public var families: Int
        public var claimed: Int
        /// Families held back in the year and not counted against it since.
        public var waiting: Int
        public var setBy: String
        public var setAt: Date
    }

    /// Sets a year's allocation, keeping the change.
    /// - Throws: ``PostgresError`` with the constraint `claims_allocation_not_exceeded`
    ///   when more families were counted against the year already.
    public static func set(year: String, families: Int, by: String, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO claims_allocation (financial_year, families, set_by) VALUES (\(year), \(families), \(by))
            ON CONFLICT (financial_year) DO UPDATE SET families = excluded.families, set_by = excluded.set_by, set_at = now()
            """)
        try connection.execute(
            "INSERT INTO claims_allocation_change (financial_year, families, set_by) VALUES (\(year), \(families), \(by))")
    }

    /// Every year's allocation, in year order.
    public static func all(on connection: PostgresConnection) throws -> [Row] {
        try connection.query(
            """
            SELECT allocation.financial_year, allocation.families, allocation.claimed,
                   (SELECT count(*) FROM claims_allocation_held AS held
                    WHERE held.financial_year = allocation.financial_year
                      AND NOT EXISTS (SELECT 1 FROM claims_allocation_family AS counted
                                      WHERE counted.financial_year = held.financial_year AND counted.family_id = held.family_id)),
                   allocation.set_by, allocation.set_at
            FROM claims_allocation AS allocation ORDER BY allocation.financial_year
            """
        ).decode((String, Int, Int, Int, String, Date).self).map {
            Row(financialYear: $0.0, families: $0.1, claimed: $0.2, waiting: $0.3, setBy: $0.4, setAt: $0.5)
        }
    }

    /// A year's allocation and the families counted against it, locked until
    /// the transaction ends: the transactions counting families against one
    /// year take turns. Nil when no allocation is set for the year.
    public static func lock(year: String, on connection: PostgresConnection) throws -> (families: Int, claimed: Int)? {
        try connection.query(
            "SELECT families, claimed FROM claims_allocation WHERE financial_year = \(year) FOR UPDATE",
            preparedAs: "claims_allocation_lock"
        ).decode((Int, Int).self).first.map { (families: $0.0, claimed: $0.1) }
    }

    /// Those of these families counted against the year already.
    public static func counted(year: String, among familyIDs: [UUID], on connection: PostgresConnection) throws -> Set<UUID> {
        guard !familyIDs.isEmpty else { return [] }
        return Set(
            try connection.query(
                "SELECT family_id FROM claims_allocation_family WHERE financial_year = \(year) AND family_id = ANY(\(familyIDs)::uuid[])",
                preparedAs: "claims_allocation_counted"
            ).decode(UUID.self))
    }

    /// Counts these families against the year (each once).
    public static func count(year: String, families familyIDs: [UUID], on connection: PostgresConnection) throws {
        guard !familyIDs.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO claims_allocation_family (financial_year, family_id)
            SELECT \(year), family_id FROM unnest(\(familyIDs)::uuid[]) AS family_id
            ON CONFLICT DO NOTHING
            """, preparedAs: "claims_allocation_count")
    }

    /// Those of these families held back in the year and not counted against it since.
    public static func waiting(year: String, among familyIDs: [UUID], on connection: PostgresConnection) throws -> Set<UUID> {
        guard !familyIDs.isEmpty else { return [] }
        return Set(
            try connection.query(
                """
                SELECT held.family_id FROM claims_allocation_held AS held
                WHERE held.financial_year = \(year) AND held.family_id = ANY(\(familyIDs)::uuid[])
                  AND NOT EXISTS (SELECT 1 FROM claims_allocation_family AS counted
                                  WHERE counted.financial_year = held.financial_year AND counted.family_id = held.family_id)
                """
            ).decode(UUID.self))
    }

    /// Records that these families' results were due on `day` and held back.
    public static func hold(year: String, families familyIDs: [UUID], on day: String, on connection: PostgresConnection) throws {
        guard !familyIDs.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO claims_allocation_held (financial_year, family_id, first_held_on, last_held_on)
            SELECT \(year), family_id, \(day)::date, \(day)::date FROM unnest(\(familyIDs)::uuid[]) AS family_id
            ON CONFLICT (financial_year, family_id) DO UPDATE SET last_held_on = excluded.last_held_on
            """, preparedAs: "claims_allocation_hold")
    }
}
