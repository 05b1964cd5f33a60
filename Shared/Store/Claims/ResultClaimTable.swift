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
    }

    /// The payments claimed for each of these families under a ruleset.
    public static func claimed(of familyIDs: [UUID], rulesetID: String, on connection: PostgresConnection) throws -> [UUID: [Claimed]] {
        let rows = try connection.query(
            """
            SELECT family_id, payment, amount_pence, explanation->>'measuredOn' FROM result_claim
            WHERE family_id = ANY(\(familyIDs)::uuid[]) AND ruleset_id = \(rulesetID)
            """, preparedAs: "result_claim_claimed"
        ).decode((UUID, String, Int, String?).self)
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map { Claimed(payment: $0.1, amountPence: $0.2, measuredOn: $0.3) } }
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

    /// Every claim, or those of one window, in window, family and payment order.
    public static func all<Explanation>(
        window: String? = nil, explanation: Explanation.Type, on connection: PostgresConnection
    ) throws -> [Row<Explanation>] {
        try connection.query(
            """
            SELECT family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence, financial_year, claim_window,
                   explanation::text, status, claimed_by
            FROM result_claim WHERE \(window)::text IS NULL OR claim_window = \(window)
            ORDER BY claim_window, family_id, payment
            """
        ).decode((UUID, String, String, String, String, Int, String, String, PostgresJSON<Explanation>, String, String).self).map {
            Row(
                familyID: $0.0, rulesetID: $0.1, rulesetVersion: $0.2, rulesetHash: $0.3, payment: $0.4, amountPence: $0.5,
                financialYear: $0.6, claimWindow: $0.7, explanation: $0.8.value, status: $0.9, claimedBy: $0.10)
        }
    }
}

extension ResultClaimTable.Row: Equatable where Explanation: Equatable {}
extension ResultClaimTable.Row: Hashable where Explanation: Hashable {}
