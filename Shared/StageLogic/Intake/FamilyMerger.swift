import Contracts
import Foundation
import Postgres
import Store
import Vocabulary

/// A co-ordinator's merge of two of intake's families found to be one
/// (`turnaround review merge`), in the caller's transaction: the merged
/// family's people join the family kept under new labels, its referrals
/// follow, the review items between the two are resolved, and the merge is
/// recorded (``FamilyMergeTable``) with the message telling screening and
/// claims (``FamilyMerged``). The merged family's row stays, for its history;
/// matching never joins anyone to it again.
public enum FamilyMerger {
    /// Why a merge cannot be made.
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    /// What a merge did.
    public struct Outcome: Sendable {
        public var message: FamilyMerged
        /// The review items it resolved.
        public var resolvedItems: [Int]
        /// The referrals that moved to the family kept.
        public var referrals: [ReferralTable.Key]
    }

    /// Merges `merged` into `kept`. Takes intake's locks first (the people's
    /// and addresses' keys, then the families, as matching does), so no
    /// batch adds to either family meanwhile.
    /// - Parameter dryRun: check and work out the merge, changing nothing.
    public static func merge(
        _ merged: UUID, into kept: UUID, by user: String, at now: Date, dryRun: Bool = false, on connection: PostgresConnection
    ) throws -> Outcome {
        let name = { (family: UUID) in family.uuidString.lowercased() }
        guard merged != kept else { throw Refusal(description: "family \(name(merged)) cannot be merged into itself") }
        try AdvisoryLocks.intakeMatching.lock(try HouseholdTables.matchingKeys(of: [merged, kept], on: connection), on: connection)
        try AdvisoryLocks.intakeFamilies.lock([merged, kept].map(\.uuidString), on: connection)
        let existing = try HouseholdTables.existing([merged, kept], on: connection)
        for family in [merged, kept] where !existing.contains(family) {
            throw Refusal(description: "intake has no family \(name(family))")
        }
        let mergedAlready = try FamilyMergeTable.mergedInto([merged, kept], on: connection)
        if let into = mergedAlready[merged] { throw Refusal(description: "family \(name(merged)) was merged into \(name(into)) already") }
        if let into = mergedAlready[kept] {
            throw Refusal(description: "family \(name(kept)) was merged into \(name(into)): merge into that family instead")
        }

        let members = try HouseholdTables.members(of: [merged, kept], on: connection)
        var labels = MemberLabels(existing: (members[kept] ?? []).map(\.label))
        let moving = (members[merged] ?? []).sorted { Self.labelOrder($0.label, $1.label) }
        let relabelled = moving.map { (from: $0.label, to: labels.next()) }
        let keptMembers = ((members[kept] ?? []) + zip(moving, relabelled).map { HouseholdTables.Member(label: $0.1.to, dateOfBirth: $0.0.dateOfBirth) })
            .sorted { $0.label < $1.label }
        let message = FamilyMerged(
            familyID: kept, mergedFamilyID: merged, relabelled: relabelled.map { FamilyMerged.Relabelling(from: $0.from, to: $0.to) },
            members: keptMembers.map { FamilyMember(id: $0.label, dateOfBirth: CalendarDate(iso: $0.dateOfBirth)!) }, mergedBy: user, mergedAt: now)
        do {
            try message.validate()
        } catch {
            throw Refusal(description: "\(error)")
        }
        if dryRun { return Outcome(message: message, resolvedItems: [], referrals: []) }

        try HouseholdTables.move(from: merged, to: kept, relabelled: relabelled, on: connection)
        let referrals = try ReferralTable.move(from: merged, to: kept, on: connection)
        try FamilyMergeTable.record(merged: merged, into: kept, relabelled: relabelled, referrals: referrals, by: user, at: now, on: connection)
        let resolved = try ReviewItemTable.recordMerge(of: merged, into: kept, by: user, at: now, on: connection)
        return Outcome(message: message, resolvedItems: resolved, referrals: referrals)
    }

    /// `P2` before `P10`: the order intake met the people in.
    static func labelOrder(_ one: String, _ other: String) -> Bool {
        (Int(one.dropFirst()) ?? 0, one) < (Int(other.dropFirst()) ?? 0, other)
    }
}
