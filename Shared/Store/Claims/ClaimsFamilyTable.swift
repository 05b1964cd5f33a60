import Foundation
import Postgres

/// Queries of `claims_family`: what the claims stage knows of each family:
/// its members, its latest eligibility decision and its attachment.
public enum ClaimsFamilyTable {
    public struct Row: Sendable, Hashable {
        public var familyID: UUID
        /// JSON, nil until a decision came.
        public var members: String?
        public var decisionID: UUID?
        public var rulesetID: String?
        public var isEligible: Bool?
        /// `YYYY-MM-DD` dates.
        public var eligibleSince: String?
        public var attachedOn: String?
        public var keyworker: String?
        public var attachedBy: String?
    }

    /// Records a decision about a family unless a later one (by revision,
    /// or by day for decisions sent without one) was recorded; `eligibleSince`
    /// keeps the first eligible day while the family stays eligible.
    /// Eligibility counts at entry: once a family eligible then is attached,
    /// later decisions (its problems easing, as the programme intends) update
    /// only its members.
    public static func recordDecision(
        familyID: UUID, members: String, decisionID: UUID, revision: Int?, rulesetID: String, isEligible: Bool, decidedOn: String,
        on connection: PostgresConnection
    ) throws {
        let lockedOnceAttached = "claims_family.attached_on IS NOT NULL AND claims_family.is_eligible"
        try connection.execute(
            """
            INSERT INTO claims_family (family_id, members, decision_id, decision_revision, ruleset_id, is_eligible, decided_on,
                                       eligible_since)
            VALUES (\(familyID), \(members)::jsonb, \(decisionID), \(revision)::integer, \(rulesetID), \(isEligible), \(decidedOn)::date,
                    CASE WHEN \(isEligible) THEN \(decidedOn)::date END)
            ON CONFLICT (family_id) DO UPDATE SET
                members = excluded.members,
                decision_id = CASE WHEN \(unescaped: lockedOnceAttached) THEN claims_family.decision_id ELSE excluded.decision_id END,
                decision_revision = excluded.decision_revision,
                ruleset_id = CASE WHEN \(unescaped: lockedOnceAttached) THEN claims_family.ruleset_id ELSE excluded.ruleset_id END,
                is_eligible = CASE WHEN \(unescaped: lockedOnceAttached) THEN claims_family.is_eligible ELSE excluded.is_eligible END,
                decided_on = CASE WHEN \(unescaped: lockedOnceAttached) THEN claims_family.decided_on ELSE excluded.decided_on END,
                eligible_since = CASE WHEN \(unescaped: lockedOnceAttached) THEN claims_family.eligible_since
                                      WHEN NOT excluded.is_eligible THEN NULL
                                      ELSE coalesce(claims_family.eligible_since, excluded.eligible_since) END,
                updated_at = now()
            WHERE coalesce(claims_family.decision_revision < excluded.decision_revision,
                           claims_family.decided_on IS NULL OR claims_family.decided_on <= excluded.decided_on)
            """, preparedAs: "claims_family_decision")
    }

    /// Records that the authority started working with a family; the first
    /// attachment stands (attaching again changes nothing).
    /// - Returns: whether this was the family's first attachment.
    @discardableResult
    public static func recordAttachment(
        familyID: UUID, attachedOn: String, keyworker: String, attachedBy: String, on connection: PostgresConnection
    ) throws -> Bool {
        try connection.execute(
            """
            INSERT INTO claims_family (family_id, attached_on, keyworker, attached_by)
            VALUES (\(familyID), \(attachedOn)::date, \(keyworker), \(attachedBy))
            ON CONFLICT (family_id) DO UPDATE SET attached_on = excluded.attached_on, keyworker = excluded.keyworker,
                                                  attached_by = excluded.attached_by, updated_at = now()
            WHERE claims_family.attached_on IS NULL
            """, preparedAs: "claims_family_attachment") == 1
    }

    public static func families(_ familyIDs: [UUID], on connection: PostgresConnection) throws -> [Row] {
        try connection.query(
            """
            SELECT family_id, members::text, decision_id, ruleset_id, is_eligible, eligible_since::text, attached_on::text,
                   keyworker, attached_by
            FROM claims_family WHERE family_id = ANY(\(familyIDs)::uuid[])
            """, preparedAs: "claims_family_rows"
        ).decode((UUID, String?, UUID?, String?, Bool?, String?, String?, String?, String?).self).map {
            Row(
                familyID: $0.0, members: $0.1, decisionID: $0.2, rulesetID: $0.3, isEligible: $0.4, eligibleSince: $0.5,
                attachedOn: $0.6, keyworker: $0.7, attachedBy: $0.8)
        }
    }

    /// Every family the claims stage knows.
    public static func allFamilyIDs(on connection: PostgresConnection) throws -> [UUID] {
        try connection.query("SELECT family_id FROM claims_family").decode(UUID.self)
    }
}
