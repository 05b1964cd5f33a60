import Foundation
import Rules

/// Screening decided whether a family meets the programme's criteria, and
/// why; sent when a family is first screened and whenever the outcome or
/// the criteria met change.
public struct EligibilityDecided: Contract, Hashable {
    public static let schema = "eligibility.decided"
    public static let version = 1

    public var familyID: UUID
    public var decisionID: UUID
    public var decision: EligibilityDecision
    /// The family as screened, for the results the claims stage measures.
    public var members: [FamilyMember]

    public init(familyID: UUID, decisionID: UUID, decision: EligibilityDecision, members: [FamilyMember]) {
        self.familyID = familyID
        self.decisionID = decisionID
        self.decision = decision
        self.members = members
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        try Check.nonEmpty(members, "members")
        try Check.identifier(decision.rulesetID, "decision.rulesetID")
    }
}
