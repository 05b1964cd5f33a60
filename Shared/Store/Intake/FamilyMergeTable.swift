import Foundation
import Postgres

/// Queries of `family_merge`: the families a co-ordinator merged into
/// others, with each moved member's labels and the referrals that had gone
/// to the merged family.
public enum FamilyMergeTable {
    /// The family each of these was merged into, for those merged.
    public static func mergedInto(_ familyIDs: [UUID], on connection: PostgresConnection) throws -> [UUID: UUID] {
        guard !familyIDs.isEmpty else { return [:] }
        let rows = try connection.query(
            "SELECT merged_family_id, family_id FROM family_merge WHERE merged_family_id = ANY(\(familyIDs)::uuid[])",
            preparedAs: "family_merges_of"
        ).decode((UUID, UUID).self)
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }

    /// A referral's agency and id, as the record of a merge lists them.
    struct ReferralRef: Codable {
        var agency: String
        var referral: String
    }

    /// A member's labels before and after, as the record of a merge lists them.
    struct Relabelling: Codable {
        var from: String
        var to: String
    }

    /// Records a merge.
    public static func record(
        merged: UUID, into kept: UUID, relabelled: [(from: String, to: String)], referrals: [ReferralTable.Key], by user: String, at now: Date,
        on connection: PostgresConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO family_merge (merged_family_id, family_id, relabelled, referrals, merged_by, merged_at)
            VALUES (\(merged), \(kept), \(PostgresJSON(relabelled.map { Relabelling(from: $0.from, to: $0.to) }))::jsonb,
                    \(PostgresJSON(referrals.map { ReferralRef(agency: $0.agencyID, referral: $0.referralID) }))::jsonb, \(user), \(now))
            """, preparedAs: "family_merge_record")
    }
}
