import Contracts
import Foundation
import Store

/// What the claims stage keeps of each family (``ClaimsFamilyTable/Row``),
/// changed by the decisions and attachments a batch brings, in the batch's
/// order, in memory: the stage reads the families' rows once and writes
/// what changed once.
public enum ClaimsFamilyUpdates {
    /// A decision or an attachment, as the claims stage reads it.
    public enum Change: Sendable {
        case decided(EligibilityDecided)
        case attached(FamilyAttached)

        public var familyID: UUID {
            switch self {
            case .decided(let message): message.familyID
            case .attached(let message): message.familyID
            }
        }
    }

    /// The rows `changes` make of the families' `current` rows (a family
    /// without one starts empty), for the families whose rows change.
    public static func apply(_ changes: [Change], to current: [UUID: ClaimsFamilyRow]) -> [ClaimsFamilyRow] {
        var rows = current
        var changed: Set<UUID> = []
        for change in changes {
            var row = rows[change.familyID] ?? ClaimsFamilyRow(familyID: change.familyID)
            let before = row
            switch change {
            case .decided(let message): record(message, in: &row)
            case .attached(let message): record(message, in: &row)
            }
            if row != before { changed.insert(change.familyID) }
            rows[change.familyID] = row
        }
        return changed.compactMap { rows[$0] }
    }

    /// Records a decision unless a later one (by revision, or by day for
    /// decisions sent without one) was recorded; `eligibleSince` keeps the
    /// first eligible day while the family stays eligible. Eligibility counts
    /// at entry: once a family eligible then is attached, later decisions
    /// (its problems easing, as the programme intends) change only its
    /// members and the latest revision.
    static func record(_ message: EligibilityDecided, in row: inout ClaimsFamilyRow) {
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
}
