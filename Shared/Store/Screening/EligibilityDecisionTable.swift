import Foundation
import Postgres

/// Queries of `eligibility_decision`: every decision screening made, each
/// kept whole as JSON (the rules engine's decision) beside the columns
/// that select it.
public enum EligibilityDecisionTable {
    public struct Row: Sendable, Hashable {
        public var decisionID: UUID
        public var familyID: UUID
        /// The family's decisions count 1, 2, …: the latest has the highest.
        public var revision: Int
        /// The service, or the user, that made the decision.
        public var decidedBy: String
        /// `YYYY-MM-DD`.
        public var decidedOn: String
        public var rulesetID: String
        public var rulesetVersion: String
        public var rulesetHash: String
        public var isEligible: Bool
        public var metCriteria: [String]
        public var summary: String
        /// The labels of the members it was made for.
        public var memberIDs: [String]
        /// The whole decision, as JSON text.
        public var decision: String

        public init(
            decisionID: UUID, familyID: UUID, revision: Int, decidedBy: String, decidedOn: String, rulesetID: String, rulesetVersion: String,
            rulesetHash: String, isEligible: Bool, metCriteria: [String], summary: String, memberIDs: [String], decision: String
        ) {
            self.decisionID = decisionID
            self.familyID = familyID
            self.revision = revision
            self.decidedBy = decidedBy
            self.decidedOn = decidedOn
            self.rulesetID = rulesetID
            self.rulesetVersion = rulesetVersion
            self.rulesetHash = rulesetHash
            self.isEligible = isEligible
            self.metCriteria = metCriteria
            self.summary = summary
            self.memberIDs = memberIDs
            self.decision = decision
        }
    }

    /// What a family's latest decision said.
    public struct Latest: Sendable, Hashable {
        public var revision: Int
        /// The day it was made as of, `YYYY-MM-DD`.
        public var decidedOn: String
        public var isEligible: Bool
        public var metCriteria: [String]
        public var rulesetHash: String
        /// The labels of the members it was made for; nil for a decision recorded before they were kept.
        public var memberIDs: [String]?
    }

    /// The latest decision about each of these families that has one.
    ///
    /// Each family's is looked up by itself, through the index on its
    /// revisions: the planner cannot then pick a scan of every decision,
    /// as it did for a list of families while the table filled faster than
    /// its statistics followed (a first screening or rescreen of many).
    public static func latest(of familyIDs: [UUID], on connection: PostgresConnection) throws -> [UUID: Latest] {
        let rows = try connection.query(
            """
            SELECT family.family_id, latest.revision, latest.decided_on::text, latest.is_eligible,
                   array_to_string(latest.met_criteria, ','), latest.ruleset_hash, array_to_string(latest.member_ids, ',')
            FROM (SELECT DISTINCT family_id FROM unnest(\(familyIDs)::uuid[]) AS named (family_id)) AS family
            CROSS JOIN LATERAL (
                SELECT revision, decided_on, is_eligible, met_criteria, ruleset_hash, member_ids FROM eligibility_decision
                WHERE eligibility_decision.family_id = family.family_id ORDER BY revision DESC LIMIT 1) AS latest
            """, preparedAs: "eligibility_latest"
        ).decode((UUID, Int, String, Bool, String, String, String?).self)
        return Dictionary(
            uniqueKeysWithValues: rows.map {
                (
                    $0.0,
                    Latest(
                        revision: $0.1, decidedOn: $0.2, isEligible: $0.3, metCriteria: $0.4.split(separator: ",").map(String.init),
                        rulesetHash: $0.5, memberIDs: $0.6.map { $0.split(separator: ",").map(String.init) })
                )
            })
    }

    public static func insert(_ rows: [Row], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO eligibility_decision (decision_id, family_id, revision, decided_by, decided_on, ruleset_id, ruleset_version,
                                              ruleset_hash, is_eligible, met_criteria, summary, member_ids, decision)
            SELECT decision_id, family_id, revision, decided_by, decided_on::date, ruleset_id, ruleset_version, ruleset_hash,
                   is_eligible, string_to_array(met_criteria, ','), summary, string_to_array(member_ids, ','), decision::jsonb
            FROM unnest(\(rows.map(\.decisionID))::uuid[], \(rows.map(\.familyID))::uuid[], \(rows.map(\.revision))::integer[],
                        \(rows.map(\.decidedBy))::text[], \(rows.map(\.decidedOn))::text[],
                        \(rows.map(\.rulesetID))::text[], \(rows.map(\.rulesetVersion))::text[], \(rows.map(\.rulesetHash))::text[],
                        \(rows.map(\.isEligible))::boolean[], \(rows.map { $0.metCriteria.joined(separator: ",") })::text[],
                        \(rows.map(\.summary))::text[], \(rows.map { $0.memberIDs.joined(separator: ",") })::text[],
                        \(rows.map(\.decision))::text[])
                 AS row (decision_id, family_id, revision, decided_by, decided_on, ruleset_id, ruleset_version, ruleset_hash,
                         is_eligible, met_criteria, summary, member_ids, decision)
            """, preparedAs: "eligibility_insert")
    }

    /// The latest decision about a family, whole.
    public static func latestDecision<Decision: Codable & Sendable>(
        of familyID: UUID, as decision: Decision.Type, on connection: PostgresConnection
    ) throws -> Decision? {
        try connection.query(
            """
            SELECT decision::text FROM eligibility_decision WHERE family_id = \(familyID)
            ORDER BY revision DESC LIMIT 1
            """
        ).decode(PostgresJSON<Decision>.self).first?.value
    }

    /// One decision, whole.
    public static func decision<Decision: Codable & Sendable>(
        _ decisionID: UUID, as decision: Decision.Type, on connection: PostgresConnection
    ) throws -> Decision? {
        try connection.query("SELECT decision::text FROM eligibility_decision WHERE decision_id = \(decisionID)")
            .decode(PostgresJSON<Decision>.self).first?.value
    }

    /// Every family's latest decision, by family id: family, day, eligible,
    /// criteria met, summary; only eligible ones with `eligibleOnly`, only
    /// those decided on or after `since` (`YYYY-MM-DD`) given one.
    public static func latestOfEveryFamily(
        eligibleOnly: Bool = false, since: String? = nil, on connection: PostgresConnection
    ) throws -> [(familyID: UUID, decidedOn: String, isEligible: Bool, metCriteria: [String], summary: String)] {
        try connection.query(
            """
            SELECT family_id, decided_on::text, is_eligible, array_to_string(met_criteria, ','), summary
            FROM (SELECT DISTINCT ON (family_id) family_id, decided_on, is_eligible, met_criteria, summary
                  FROM eligibility_decision ORDER BY family_id, revision DESC) AS latest
            WHERE (is_eligible OR NOT \(eligibleOnly)) AND (\(since)::date IS NULL OR decided_on >= \(since)::date)
            ORDER BY family_id
            """, preparedAs: "eligibility_latest_of_every_family"
        ).decode((UUID, String, Bool, String, String).self).map {
            (familyID: $0.0, decidedOn: $0.1, isEligible: $0.2, metCriteria: $0.3.split(separator: ",").map(String.init), summary: $0.4)
        }
    }

    /// The decisions made under one ruleset.
    public struct RulesetUse: Sendable, Hashable {
        public var rulesetID: String
        public var rulesetVersion: String
        public var rulesetHash: String
        public var decisions: Int
        public var firstDecidedAt: Date
        public var lastDecidedAt: Date
    }

    /// Every ruleset decisions were made under, by id, version and content
    /// hash, with how many and when the first and last were made.
    public static func rulesetsUsed(on connection: PostgresConnection) throws -> [RulesetUse] {
        try connection.query(
            """
            SELECT ruleset_id, ruleset_version, ruleset_hash, count(*), min(decided_at), max(decided_at)
            FROM eligibility_decision GROUP BY ruleset_id, ruleset_version, ruleset_hash
            ORDER BY ruleset_id, ruleset_version, ruleset_hash
            """
        ).decode((String, String, String, Int, Date, Date).self).map {
            RulesetUse(rulesetID: $0.0, rulesetVersion: $0.1, rulesetHash: $0.2, decisions: $0.3, firstDecidedAt: $0.4, lastDecidedAt: $0.5)
        }
    }
}

