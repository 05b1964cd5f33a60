import Contracts
import Foundation
import Postgres
import Store

/// A stage's side of a co-ordinator's merge of two families (``FamilyMerged``):
/// what it holds about the merged family moves to the family kept, members
/// relabelled, and a message about the merged family that was already on its
/// way when the merge came is applied to the family kept. The same whatever
/// order a family's messages come in, across topics and lanes.
public struct FamilyMerges: Sendable {
    /// Where each merged family went, as far as the stage knows.
    public private(set) var merges: [UUID: MergedFamilyTable.Merge]

    /// A stage's own record of merges, its evidence and the locks on its families.
    public struct Stage: Sendable {
        let merges: MergedFamilyTable
        let evidence: StageEvidenceTable
        let locks: AdvisoryLocks

        public static let screening = Stage(merges: .screening, evidence: .screening, locks: .screeningFamilies)
        public static let claims = Stage(merges: .claims, evidence: .claims, locks: .claimsFamilies)
    }

    /// The merges of the families `familyIDs` name, as the stage recorded them.
    static func of(_ familyIDs: [UUID], in stage: Stage, on connection: PostgresConnection) throws -> FamilyMerges {
        FamilyMerges(merges: try stage.merges.merges(of: Array(Set(familyIDs)), on: connection))
    }

    /// The family a message about `familyID` is about now.
    public func family(_ familyID: UUID) -> UUID {
        merges[familyID]?.familyID ?? familyID
    }

    /// A member's label in the family a message about `familyID` is about now.
    public func member(_ label: String, of familyID: UUID) -> String {
        merges[familyID]?.labels[label] ?? label
    }

    /// An evidence record as it now belongs.
    public func redirected(_ message: EvidenceRecorded) -> EvidenceRecorded {
        guard merges[message.familyID] != nil else { return message }
        var message = message
        message.personID = member(message.personID, of: message.familyID)
        message.familyID = family(message.familyID)
        return message
    }

    /// Locks the families a batch changes, before it reads them: those its
    /// messages name, those the corrected records it carries move away from,
    /// and the families kept for the merged families it names (a merge
    /// committed while the batch waited for its locks sends messages there
    /// too, so those are locked after).
    public static func lockFamilies(
        naming named: [UUID], evidence: [EvidenceRecorded], in stage: Stage, on connection: PostgresConnection
    ) throws {
        let merges = try of(named, in: stage, on: connection)
        let families = try FamilyEvidence.familiesChanged(
            naming: named + named.map(merges.family), evidence: evidence.map(merges.redirected), in: stage.evidence, on: connection)
        try stage.locks.lock(families.map(\.uuidString), on: connection)
        let mergedMeanwhile = Set(named.map(try of(named, in: stage, on: connection).family)).subtracting(families)
        try stage.locks.lock(mergedMeanwhile.map(\.uuidString), on: connection)
    }

    /// Records a batch's merges in the stage, in the batch's order, with what
    /// the stage recorded before about the families the batch names: a family
    /// merged earlier into one merged now follows it, its labels composed.
    /// Moves the evidence of every family merged now, in one statement.
    /// - Returns: the merges as they now stand, to redirect the batch's other messages with.
    public static func record(
        _ messages: [FamilyMerged], naming named: [UUID], in stage: Stage, on connection: PostgresConnection
    ) throws -> FamilyMerges {
        var merges = try of(named, in: stage, on: connection)
        guard !messages.isEmpty else { return merges }
        let mergedNow = messages.map(\.mergedFamilyID)
        for (merged, merge) in try stage.merges.merged(into: mergedNow, on: connection) where merges.merges[merged] == nil {
            merges.merges[merged] = merge
        }
        var changed: Set<UUID> = []
        for message in messages {
            let labels = message.labels
            // Families merged into this one before now go where it goes.
            for (merged, merge) in merges.merges where merge.familyID == message.mergedFamilyID {
                merges.merges[merged] = MergedFamilyTable.Merge(
                    familyID: message.familyID, labels: merge.labels.mapValues { labels[$0] ?? $0 })
                changed.insert(merged)
            }
            merges.merges[message.mergedFamilyID] = MergedFamilyTable.Merge(familyID: message.familyID, labels: labels)
            changed.insert(message.mergedFamilyID)
        }
        try stage.merges.record(merges.merges.filter { changed.contains($0.key) }, at: Date(), on: connection)
        try stage.evidence.move(Set(mergedNow).sorted().map { (from: $0, to: merges.merges[$0]!.familyID, labels: merges.merges[$0]!.labels) }, on: connection)
        return merges
    }
}
