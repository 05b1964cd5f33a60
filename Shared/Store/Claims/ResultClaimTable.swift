import Foundation
import Postgres

/// Queries of `result_claim`: the payments claimed for each family. The
/// table's unique key makes a second claim for the same payment impossible.
public enum ResultClaimTable {
    /// A claim; its explanation is kept as JSON (`Explanation`: the rules engine's).
    public struct Row<Explanation: Codable & Sendable>: Sendable {
        public var familyID: UUID
        public var rulesetID: String
        public var rulesetVersion: String
        public var rulesetHash: String
        /// `attachment` or a result's id.
        public var payment: String
        public var amountPence: Int
        public var financialYear: String
        public var claimWindow: String
        public var explanation: Explanation
        public var status: String
        /// The service, or the user, that made the claim.
        public var claimedBy: String

        public init(
            familyID: UUID, rulesetID: String, rulesetVersion: String, rulesetHash: String, payment: String, amountPence: Int,
            financialYear: String, claimWindow: String, explanation: Explanation, status: String = "awaiting-audit", claimedBy: String
        ) {
            self.familyID = familyID
            self.rulesetID = rulesetID
            self.rulesetVersion = rulesetVersion
            self.rulesetHash = rulesetHash
            self.payment = payment
            self.amountPence = amountPence
            self.financialYear = financialYear
            self.claimWindow = claimWindow
            self.explanation = explanation
            self.status = status
            self.claimedBy = claimedBy
        }
    }

    /// A payment claimed, as checking it needs it.
    public struct Claimed: Sendable, Hashable {
        public var payment: String
        public var amountPence: Int
        /// The day the result was measured on (`YYYY-MM-DD`), as its explanation records it.
        public var measuredOn: String?
        /// The version and content hash of the ruleset it was claimed under: a check measures it under those rules.
        public var rulesetVersion: String
        public var rulesetHash: String
    }

    /// The payments claimed for each of these families under any version of
    /// a ruleset, with those claimed for the families merged into them: one
    /// family's payment is never claimed twice.
    public static func claimed(of familyIDs: [UUID], rulesetID: String, on connection: PostgresConnection) throws -> [UUID: [Claimed]] {
        let rows = try connection.query(
            """
            SELECT wanted.family_id, claim.payment, claim.amount_pence, claim.explanation->>'measuredOn', claim.ruleset_version,
                   claim.ruleset_hash
            FROM (SELECT family_id, family_id FROM unnest(\(familyIDs)::uuid[]) AS family_id
                  UNION ALL SELECT family_id, merged_family_id FROM claims_merged_family WHERE family_id = ANY(\(familyIDs)::uuid[]))
                 AS wanted (family_id, claimed_for)
            JOIN result_claim AS claim ON claim.family_id = wanted.claimed_for AND claim.ruleset_id = \(rulesetID)
            """, preparedAs: "result_claim_claimed"
        ).decode((UUID, String, Int, String?, String, String).self)
        return Dictionary(grouping: rows, by: \.0).mapValues {
            $0.map { Claimed(payment: $0.1, amountPence: $0.2, measuredOn: $0.3, rulesetVersion: $0.4, rulesetHash: $0.5) }
        }
    }

    /// Every family with a claim under a ruleset.
    public static func claimedFamilyIDs(rulesetID: String, on connection: PostgresConnection) throws -> [UUID] {
        try connection.query("SELECT DISTINCT family_id FROM result_claim WHERE ruleset_id = \(rulesetID)").decode(UUID.self)
    }

    /// Claims payments; one claimed before is left as it is.
    /// - Returns: how many claims were new.
    @discardableResult
    public static func claim<Explanation>(_ rows: [Row<Explanation>], on connection: PostgresConnection) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        return try connection.execute(
            """
            INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence,
                                      financial_year, claim_window, explanation, claimed_by)
            SELECT family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence, financial_year, claim_window,
                   explanation::jsonb, claimed_by
            FROM unnest(\(rows.map(\.familyID))::uuid[], \(rows.map(\.rulesetID))::text[], \(rows.map(\.rulesetVersion))::text[],
                        \(rows.map(\.rulesetHash))::text[], \(rows.map(\.payment))::text[], \(rows.map(\.amountPence))::bigint[],
                        \(rows.map(\.financialYear))::text[], \(rows.map(\.claimWindow))::text[], \(rows.map { PostgresJSON($0.explanation) })::text[],
                        \(rows.map(\.claimedBy))::text[])
                 AS row (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence, financial_year,
                         claim_window, explanation, claimed_by)
            ON CONFLICT (family_id, ruleset_id, payment) DO NOTHING
            """, preparedAs: "result_claim_insert")
    }

    /// A claim as finance lists it.
    public struct Listed: Sendable, Hashable {
        public var claimID: UUID
        public var claimWindow: String
        public var familyID: UUID
        public var payment: String
        public var amountPence: Int
        public var financialYear: String
        public var rulesetID: String
        public var rulesetVersion: String
        public var status: String
        /// The return it was submitted in, once it was.
        public var returnID: UUID?
    }

    /// Every claim, or those of one window or status, in window, family and payment order.
    public static func all(window: String? = nil, status: String? = nil, on connection: PostgresConnection) throws -> [Listed] {
        try connection.query(
            """
            SELECT claim_id, claim_window, family_id, payment, amount_pence, financial_year, ruleset_id, ruleset_version, status,
                   return_id
            FROM result_claim
            WHERE (\(window)::text IS NULL OR claim_window = \(window)) AND (\(status)::text IS NULL OR status = \(status))
            ORDER BY claim_window, family_id, payment
            """
        ).decode((UUID, String, UUID, String, Int, String, String, String, String, UUID?).self).map {
            Listed(
                claimID: $0.0, claimWindow: $0.1, familyID: $0.2, payment: $0.3, amountPence: $0.4, financialYear: $0.5, rulesetID: $0.6,
                rulesetVersion: $0.7, status: $0.8, returnID: $0.9)
        }
    }

    /// Claims counted and summed by window, payment and status, a rejection
    /// told apart by whether the claim was in a return (so refused by the
    /// department, not internal audit); of every window, one financial year
    /// (`2014/15`) or one window.
    public struct Summed: Sendable, Hashable {
        public var claimWindow: String
        public var payment: String
        public var status: String
        public var inReturn: Bool
        public var claims: Int
        public var amountPence: Int
    }

    public static func summed(window: String?, financialYear: String?, on connection: PostgresConnection) throws -> [Summed] {
        try connection.query(
            """
            SELECT claim_window, payment, status, return_id IS NOT NULL, count(*), sum(amount_pence)
            FROM result_claim
            WHERE (\(window)::text IS NULL OR claim_window = \(window)) AND (\(financialYear)::text IS NULL OR financial_year = \(financialYear))
            GROUP BY 1, 2, 3, 4
            """, preparedAs: "result_claim_summed"
        ).decode((String, String, String, Bool, Int, Int).self).map {
            Summed(claimWindow: $0.0, payment: $0.1, status: $0.2, inReturn: $0.3, claims: $0.4, amountPence: $0.5)
        }
    }

    /// The claims and their amount in all, over the same scope as ``summed(window:financialYear:on:)``.
    public static func total(window: String?, financialYear: String?, on connection: PostgresConnection) throws -> (claims: Int, amountPence: Int) {
        let row = try connection.query(
            """
            SELECT count(*), coalesce(sum(amount_pence), 0) FROM result_claim
            WHERE (\(window)::text IS NULL OR claim_window = \(window)) AND (\(financialYear)::text IS NULL OR financial_year = \(financialYear))
            """, preparedAs: "result_claim_total"
        ).decode((Int, Int).self)[0]
        return (row.0, row.1)
    }

    /// Families by the window of their first result claimed under a ruleset
    /// and not rejected (the attachment fee is no result), counted apart for
    /// `progressPayments` and for the other results: a family may be in both.
    /// A family merged into another counts as that one.
    public static func firstResultWindows(
        rulesetID: String, progressPayments: [String], on connection: PostgresConnection
    ) throws -> [(window: String, isProgress: Bool, families: Int)] {
        try connection.query(
            """
            SELECT first_window, is_progress, count(*) FROM (
                SELECT coalesce(merge.family_id, claim.family_id), claim.payment = ANY(\(progressPayments)::text[]) AS is_progress,
                       min(claim.claim_window) AS first_window
                FROM result_claim AS claim LEFT JOIN claims_merged_family AS merge ON merge.merged_family_id = claim.family_id
                WHERE claim.ruleset_id = \(rulesetID) AND claim.payment <> 'attachment' AND claim.status <> 'rejected'
                GROUP BY 1, 2) AS firsts
            GROUP BY 1, 2
            """, preparedAs: "result_claim_first_result_windows"
        ).decode((String, Bool, Int).self).map { (window: $0.0, isProgress: $0.1, families: $0.2) }
    }

    /// Where a claim stands, as a transition needs it.
    public struct Standing: Sendable, Hashable {
        public var claimID: UUID
        public var status: String
        public var claimWindow: String
        public var amountPence: Int
        public var returnID: UUID?
    }

    /// These claims (those that exist), locked until the transaction ends,
    /// so a transition racing this one waits and then finds them moved.
    /// Claims are locked in id order: transitions over overlapping claims never deadlock.
    public static func lock(_ claimIDs: [UUID], on connection: PostgresConnection) throws -> [Standing] {
        try standing(
            connection.query(
                """
                SELECT claim_id, status, claim_window, amount_pence, return_id FROM result_claim
                WHERE claim_id = ANY(\(claimIDs)::uuid[]) ORDER BY claim_id FOR UPDATE
                """))
    }

    /// A window's claims in one status, locked until the transaction ends.
    public static func lock(window: String, status: String, on connection: PostgresConnection) throws -> [Standing] {
        try standing(
            connection.query(
                """
                SELECT claim_id, status, claim_window, amount_pence, return_id FROM result_claim
                WHERE claim_window = \(window) AND status = \(status) ORDER BY claim_id FOR UPDATE
                """))
    }

    /// The claims submitted in a return, locked until the transaction ends.
    public static func lock(returnID: UUID, on connection: PostgresConnection) throws -> [Standing] {
        try standing(
            connection.query(
                """
                SELECT claim_id, status, claim_window, amount_pence, return_id FROM result_claim
                WHERE return_id = \(returnID) ORDER BY claim_id FOR UPDATE
                """))
    }

    private static func standing(_ rows: PostgresRows) throws -> [Standing] {
        try rows.decode((UUID, String, String, Int, UUID?).self).map {
            Standing(claimID: $0.0, status: $0.1, claimWindow: $0.2, amountPence: $0.3, returnID: $0.4)
        }
    }

    /// One claim whole, with where it stands and when it was made.
    public static func find<Explanation>(
        _ claimID: UUID, explanation: Explanation.Type, on connection: PostgresConnection
    ) throws -> (row: Row<Explanation>, returnID: UUID?, claimedAt: Date)? {
        try connection.query(
            """
            SELECT family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence, financial_year, claim_window,
                   explanation::text, status, claimed_by, return_id, created_at
            FROM result_claim WHERE claim_id = \(claimID)
            """
        ).decode((UUID, String, String, String, String, Int, String, String, PostgresJSON<Explanation>, String, String, UUID?, Date).self)
            .first.map {
                (
                    row: Row(
                        familyID: $0.0, rulesetID: $0.1, rulesetVersion: $0.2, rulesetHash: $0.3, payment: $0.4, amountPence: $0.5,
                        financialYear: $0.6, claimWindow: $0.7, explanation: $0.8.value, status: $0.9, claimedBy: $0.10),
                    returnID: $0.11, claimedAt: $0.12
                )
            }
    }

    /// Who made a claim and when: the start of its history.
    public static func made(_ claimID: UUID, on connection: PostgresConnection) throws -> (claimedBy: String, at: Date)? {
        try connection.query("SELECT claimed_by, created_at FROM result_claim WHERE claim_id = \(claimID)")
            .decode((String, Date).self).first.map { (claimedBy: $0.0, at: $0.1) }
    }
}

extension ResultClaimTable.Row: Equatable where Explanation: Equatable {}
extension ResultClaimTable.Row: Hashable where Explanation: Hashable {}
