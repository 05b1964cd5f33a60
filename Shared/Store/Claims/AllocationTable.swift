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
        /// Nil when no allocation is set for the year (results were held back in it).
        public var families: Int?
        public var claimed: Int
        /// Families held back in the year, still waiting: not counted against it since, nor claimed for later, nor merged.
        public var waiting: Int
        public var setBy: String?
        public var setAt: Date?
    }

    /// Sets a year's allocation, keeping the change, and counts against it
    /// the families whose results were claimed in the year under `rulesetID`
    /// before it was set.
    /// - Throws: ``PostgresError`` with the constraint `claims_allocation_not_exceeded`
    ///   when more families were claimed for in the year already.
    public static func set(year: String, families: Int, by: String, countingClaimsUnder rulesetID: String, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO claims_allocation (financial_year, families, set_by) VALUES (\(year), \(families), \(by))
            ON CONFLICT (financial_year) DO UPDATE SET families = excluded.families, set_by = excluded.set_by, set_at = now()
            """)
        try connection.execute(
            "INSERT INTO claims_allocation_change (financial_year, families, set_by) VALUES (\(year), \(families), \(by))")
        try connection.execute(
            """
            INSERT INTO claims_allocation_family (financial_year, family_id)
            SELECT DISTINCT \(year), family_id FROM result_claim
            WHERE ruleset_id = \(rulesetID) AND payment <> 'attachment' AND split_part(claim_window, ' ', 1) = \(year)
            ON CONFLICT DO NOTHING
            """)
    }

    /// Every year with an allocation or with results held back, in year order.
    public static func all(on connection: PostgresConnection) throws -> [Row] {
        try connection.query(
            """
            SELECT year.financial_year, allocation.families, coalesce(allocation.claimed, 0),
                   (SELECT count(*) FROM claims_allocation_held AS held
                    WHERE held.financial_year = year.financial_year AND \(unescaped: waitingCondition)),
                   allocation.set_by, allocation.set_at
            FROM (SELECT financial_year FROM claims_allocation UNION SELECT financial_year FROM claims_allocation_held) AS year
            LEFT JOIN claims_allocation AS allocation ON allocation.financial_year = year.financial_year
            ORDER BY year.financial_year
            """
        ).decode((String, Int?, Int, Int, String?, Date?).self).map {
            Row(financialYear: $0.0, families: $0.1, claimed: $0.2, waiting: $0.3, setBy: $0.4, setAt: $0.5)
        }
    }

    /// The families a year could still count: nil when no allocation is set
    /// for it. `locking` the year's row until the transaction ends, the
    /// transactions counting families against one year take turns.
    public static func room(year: String, locking: Bool = false, on connection: PostgresConnection) throws -> Int? {
        try connection.query(
            "SELECT families - claimed FROM claims_allocation WHERE financial_year = \(year)\(unescaped: locking ? " FOR UPDATE" : "")"
        ).decode(Int.self).first
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

    /// The families held back in the year and still waiting (of `familyIDs`, when given).
    public static func waiting(year: String, among familyIDs: [UUID]? = nil, on connection: PostgresConnection) throws -> Set<UUID> {
        Set(
            try connection.query(
                """
                SELECT held.family_id FROM claims_allocation_held AS held
                WHERE held.financial_year = \(year) AND (\(familyIDs)::uuid[] IS NULL OR held.family_id = ANY(\(familyIDs)::uuid[]))
                  AND \(unescaped: waitingCondition)
                """
            ).decode(UUID.self))
    }

    /// A family held back (`held`) that is still waiting: not counted against
    /// the year since, not claimed for in a later year, not merged into another.
    private static let waitingCondition = """
        NOT EXISTS (SELECT 1 FROM claims_allocation_family AS counted
                    WHERE counted.financial_year = held.financial_year AND counted.family_id = held.family_id)
        AND NOT EXISTS (SELECT 1 FROM result_claim AS claim WHERE claim.family_id = held.family_id AND claim.payment <> 'attachment')
        AND NOT EXISTS (SELECT 1 FROM claims_family AS family WHERE family.family_id = held.family_id AND family.merged_into IS NOT NULL)
        """
}
