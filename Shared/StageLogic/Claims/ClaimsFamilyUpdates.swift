import Contracts
import Foundation
import Store

/// What the claims stage keeps of each family (``ClaimsFamilyTable/Row``),
/// changed by the decisions, attachments, closures and merges a batch brings, in the batch's
/// order, in memory: the stage reads the families' rows once and writes
/// what changed once.
public enum ClaimsFamilyUpdates {
    /// A decision, an attachment, a closure or a merge, as the claims stage reads it.
    public enum Change: Sendable {
        case decided(EligibilityDecided)
        case attached(FamilyAttached)
        case closed(FamilyClosed)
        case merged(FamilyMerged)

        /// The families it changes: a merge changes the family kept and the one merged into it.
        public var familyIDs: [UUID] {
            switch self {
            case .decided(let message): [message.familyID]
            case .attached(let message): [message.familyID]
            case .closed(let message): [message.familyID]
            case .merged(let message): [message.familyID, message.mergedFamilyID]
            }
        }

        /// The change as it now belongs: an attachment or closure on its way
        /// when its family was merged is the kept family's; decisions and
        /// merges are as they came.
        public func redirected(by merges: FamilyMerges) -> Change {
            switch self {
            case .attached(var message):
                message.familyID = merges.family(message.familyID)
                return .attached(message)
            case .closed(var message):
                message.familyID = merges.family(message.familyID)
                return .closed(message)
            case .decided, .merged: return self
            }
        }
    }

    /// The rows `changes` make of the families' `current` rows (a family
    /// without one starts empty), for the families whose rows change.
    public static func apply(_ changes: [Change], to current: [UUID: ClaimsFamilyRow]) -> [ClaimsFamilyRow] {
        var rows = current
        var changed: Set<UUID> = []
        for change in changes {
            let before = change.familyIDs.map { rows[$0] ?? ClaimsFamilyRow(familyID: $0) }
            var after = before
            switch change {
            case .decided(let message): record(message, in: &after[0])
            case .attached(let message): record(message, in: &after[0])
            case .closed(let message): record(message, in: &after[0])
            case .merged:
                var (kept, merged) = (after[0], after[1])
                record(merging: &merged, into: &kept)
                after = [kept, merged]
            }
            for (old, new) in zip(before, after) where new != old {
                changed.insert(new.familyID)
                rows[new.familyID] = new
            }
        }
        return changed.sorted().compactMap { rows[$0] }
    }

    /// Records a decision unless a later one (by revision, or by day for
    /// decisions sent without one) was recorded; `eligibleSince` keeps the
    /// first eligible day while the family stays eligible. Eligibility counts
    /// at entry: once a family eligible then is attached, later decisions
    /// (its problems easing, as the programme intends) change only its
    /// members and the latest revision.
    static func record(_ message: EligibilityDecided, in row: inout ClaimsFamilyRow) {
        // A merged family's decisions on their way when it was merged change nothing: the family kept is decided anew.
        guard row.mergedInto == nil else { return }
        let decision = message.decision
        let decidedOn = decision.decidedOn.description
        let isLater: Bool =
            if let recorded = row.decisionRevision, let revision = message.revision {
                recorded < revision
            } else {
                row.decidedOn.map { $0 <= decidedOn } ?? true
            }
        guard isLater else { return }
        row.members = message.members
        row.decisionRevision = message.revision
        guard !(row.attachedOn != nil && row.isEligible == true) else { return }
        row.decisionID = message.decisionID
        row.rulesetID = decision.rulesetID
        row.isEligible = decision.isEligible
        row.decidedOn = decidedOn
        row.eligibleSince = decision.isEligible ? (row.eligibleSince ?? decidedOn) : nil
    }

    /// Records that the authority started working with a family; the first
    /// attachment stands (attaching again changes nothing).
    static func record(_ message: FamilyAttached, in row: inout ClaimsFamilyRow) {
        guard row.attachedOn == nil else { return }
        row.attachedOn = message.attachedOn.description
        row.keyworker = message.keyworker
        row.attachedBy = message.recordedBy
        row.attachmentDiscretion = message.discretion
    }

    /// Records that the authority's work with a family ended; the first
    /// closure stands, as the day results are measured from.
    static func record(_ message: FamilyClosed, in row: inout ClaimsFamilyRow) {
        guard row.closedOn == nil else { return }
        row.closedOn = message.closedOn.description
        row.closedBy = message.recordedBy
    }

    /// Records that `merged` was found to be `kept`: it is never measured or
    /// claimed for again, and its attachment carries over when it started
    /// the work first (the clock for results runs from the first
    /// attachment). Its closure carries over when the family kept has none,
    /// as one sent after the merge would (closures of the merged family are
    /// redirected to the family kept). Its decision does not: the family kept is decided anew.
    static func record(merging merged: inout ClaimsFamilyRow, into kept: inout ClaimsFamilyRow) {
        guard merged.mergedInto == nil else { return }
        merged.mergedInto = kept.familyID
        if kept.closedOn == nil, let closedOn = merged.closedOn {
            kept.closedOn = closedOn
            kept.closedBy = merged.closedBy
        }
        guard let attachedOn = merged.attachedOn, kept.attachedOn.map({ attachedOn < $0 }) ?? true else { return }
        kept.attachedOn = attachedOn
        kept.keyworker = merged.keyworker
        kept.attachedBy = merged.attachedBy
        kept.attachmentDiscretion = merged.attachmentDiscretion
    }
}
