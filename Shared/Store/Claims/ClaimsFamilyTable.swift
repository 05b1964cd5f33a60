import Foundation
import Postgres

/// Queries of `claims_family`: what the claims stage knows of each family:
/// its members (kept as JSON; `Members`: what the decisions carry), its
/// latest eligibility decision and its attachment.
public enum ClaimsFamilyTable {
    public struct Row<Members: Codable & Sendable>: Sendable {
        public var familyID: UUID
        /// Nil until a decision came.
        public var members: Members?
        /// The decision that counts: the latest, or the one that found the
        /// family eligible when it was attached.
        public var decisionID: UUID?
        /// The latest decision's revision (nil for one sent without).
        public var decisionRevision: Int?
        public var rulesetID: String?
        public var isEligible: Bool?
        /// `YYYY-MM-DD` dates.
        public var decidedOn: String?
        public var eligibleSince: String?
        public var attachedOn: String?
        public var keyworker: String?
        public var attachedBy: String?
        /// Why it was attached though not found eligible; nil when it was.
        public var attachmentDiscretion: String?
        /// The family it was merged into: it is never measured or claimed for again.
        public var mergedInto: UUID?
        /// The day the case closed (`YYYY-MM-DD`) and who recorded it; nil while it is open.
        public var closedOn: String?
        public var closedBy: String?

        public init(
            familyID: UUID, members: Members? = nil, decisionID: UUID? = nil, decisionRevision: Int? = nil, rulesetID: String? = nil,
            isEligible: Bool? = nil, decidedOn: String? = nil, eligibleSince: String? = nil, attachedOn: String? = nil,
            keyworker: String? = nil, attachedBy: String? = nil, attachmentDiscretion: String? = nil, mergedInto: UUID? = nil,
            closedOn: String? = nil, closedBy: String? = nil
        ) {
            self.familyID = familyID
            self.members = members
            self.decisionID = decisionID
            self.decisionRevision = decisionRevision
            self.rulesetID = rulesetID
            self.isEligible = isEligible
            self.decidedOn = decidedOn
            self.eligibleSince = eligibleSince
            self.attachedOn = attachedOn
            self.keyworker = keyworker
            self.attachedBy = attachedBy
            self.attachmentDiscretion = attachmentDiscretion
            self.mergedInto = mergedInto
            self.closedOn = closedOn
            self.closedBy = closedBy
        }
    }

    /// Writes these families' rows whole, in one statement: what a batch's
    /// decisions, attachments and closures made of them (``ClaimsFamilyUpdates``).
    /// Call it holding the families' claims locks.
    public static func write<Members>(_ rows: [Row<Members>], on connection: PostgresConnection) throws {
        guard !rows.isEmpty else { return }
        let rows = rows.sorted { $0.familyID < $1.familyID }
        try connection.execute(
            """
            INSERT INTO claims_family (family_id, members, decision_id, decision_revision, ruleset_id, is_eligible, decided_on,
                                       eligible_since, attached_on, keyworker, attached_by, attachment_discretion, merged_into,
                                       closed_on, closed_by)
            SELECT family_id, members::jsonb, decision_id, decision_revision, ruleset_id, is_eligible, decided_on::date,
                   eligible_since::date, attached_on::date, keyworker, attached_by, attachment_discretion, merged_into,
                   closed_on::date, closed_by
            FROM unnest(\(rows.map(\.familyID))::uuid[], \(rows.map { $0.members.map(PostgresJSON.init) })::text[], \(rows.map(\.decisionID))::uuid[],
                        \(rows.map(\.decisionRevision))::integer[], \(rows.map(\.rulesetID))::text[], \(rows.map(\.isEligible))::boolean[],
                        \(rows.map(\.decidedOn))::text[], \(rows.map(\.eligibleSince))::text[], \(rows.map(\.attachedOn))::text[],
                        \(rows.map(\.keyworker))::text[], \(rows.map(\.attachedBy))::text[], \(rows.map(\.attachmentDiscretion))::text[],
                        \(rows.map(\.mergedInto))::uuid[], \(rows.map(\.closedOn))::text[], \(rows.map(\.closedBy))::text[])
                 AS family (family_id, members, decision_id, decision_revision, ruleset_id, is_eligible, decided_on, eligible_since,
                            attached_on, keyworker, attached_by, attachment_discretion, merged_into, closed_on, closed_by)
            ON CONFLICT (family_id) DO UPDATE SET
                members = excluded.members, decision_id = excluded.decision_id, decision_revision = excluded.decision_revision,
                ruleset_id = excluded.ruleset_id, is_eligible = excluded.is_eligible, decided_on = excluded.decided_on,
                eligible_since = excluded.eligible_since, attached_on = excluded.attached_on, keyworker = excluded.keyworker,
                attached_by = excluded.attached_by, attachment_discretion = excluded.attachment_discretion, merged_into = excluded.merged_into,
                closed_on = excluded.closed_on, closed_by = excluded.closed_by, updated_at = now()
            """, preparedAs: "claims_family_write")
    }

    public static func families<Members>(
        _ familyIDs: [UUID], members: Members.Type, on connection: PostgresConnection
    ) throws -> [Row<Members>] {
        try connection.query(
            """
            SELECT family_id, members::text, decision_id, decision_revision, ruleset_id, is_eligible, decided_on::text,
                   eligible_since::text, attached_on::text, keyworker, attached_by, attachment_discretion, merged_into,
                   closed_on::text, closed_by
            FROM claims_family WHERE family_id = ANY(\(familyIDs)::uuid[])
            """, preparedAs: "claims_family_rows"
        ).decode(
            (UUID, PostgresJSON<Members>?, UUID?, Int?, String?, Bool?, String?, String?, String?, String?, String?, String?, UUID?, String?, String?)
                .self
        ).map {
            Row(
                familyID: $0.0, members: $0.1?.value, decisionID: $0.2, decisionRevision: $0.3, rulesetID: $0.4, isEligible: $0.5,
                decidedOn: $0.6, eligibleSince: $0.7, attachedOn: $0.8, keyworker: $0.9, attachedBy: $0.10, attachmentDiscretion: $0.11,
                mergedInto: $0.12, closedOn: $0.13, closedBy: $0.14)
        }
    }

    /// Eligible, attached families not measured as of `day` (`YYYY-MM-DD`),
    /// those measured longest ago first.
    public static func dueForMeasurement(asOf day: String, limit: Int, on connection: PostgresConnection) throws -> [UUID] {
        try connection.query(
            """
            SELECT family_id FROM claims_family
            WHERE attached_on IS NOT NULL AND is_eligible AND merged_into IS NULL AND (measured_on IS NULL OR measured_on < \(day)::date)
            ORDER BY measured_on NULLS FIRST, family_id LIMIT \(limit)
            """, preparedAs: "claims_family_due_for_measurement"
        ).decode(UUID.self)
    }

    /// Records that these families were measured as of `day`.
    public static func markMeasured(_ familyIDs: [UUID], asOf day: String, on connection: PostgresConnection) throws {
        guard !familyIDs.isEmpty else { return }
        try connection.execute(
            "UPDATE claims_family SET measured_on = \(day)::date WHERE family_id = ANY(\(familyIDs)::uuid[])",
            preparedAs: "claims_family_mark_measured")
    }

    /// Makes these families due for measurement again: what held their
    /// results back (the year's allocation) has changed.
    public static func markUnmeasured(_ familyIDs: [UUID], on connection: PostgresConnection) throws {
        guard !familyIDs.isEmpty else { return }
        try connection.execute("UPDATE claims_family SET measured_on = NULL WHERE family_id = ANY(\(familyIDs)::uuid[])")
    }

    /// Families whose latest decision is under a ruleset and who were ever
    /// found eligible, counted by the day they were first found eligible and
    /// the day they were attached (nil while not attached); a family merged
    /// into another counts as that one.
    public static func eligibleAndAttachedDays(
        rulesetID: String, on connection: PostgresConnection
    ) throws -> [(eligibleSince: String, attachedOn: String?, families: Int)] {
        try connection.query(
            """
            SELECT eligible_since::text, attached_on::text, count(*) FROM claims_family
            WHERE ruleset_id = \(rulesetID) AND eligible_since IS NOT NULL AND merged_into IS NULL
            GROUP BY 1, 2
            """, preparedAs: "claims_family_eligible_and_attached_days"
        ).decode((String, String?, Int).self).map { (eligibleSince: $0.0, attachedOn: $0.1, families: $0.2) }
    }

    /// Every family the claims stage knows.
    public static func allFamilyIDs(on connection: PostgresConnection) throws -> [UUID] {
        try connection.query("SELECT family_id FROM claims_family").decode(UUID.self)
    }
}

extension ClaimsFamilyTable.Row: Equatable where Members: Equatable {}
extension ClaimsFamilyTable.Row: Hashable where Members: Hashable {}
