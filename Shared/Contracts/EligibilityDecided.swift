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
    /// The family's decisions count 1, 2, …: a later one has a higher
    /// revision. Absent in messages sent before decisions were numbered.
    public var revision: Int?
    public var decision: EligibilityDecision
    /// The family as screened, for the results the claims stage measures.
    public var members: [FamilyMember]

    public init(familyID: UUID, decisionID: UUID, revision: Int?, decision: EligibilityDecision, members: [FamilyMember]) {
        self.familyID = familyID
        self.decisionID = decisionID
        self.revision = revision
        self.decision = decision
        self.members = members
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        try Check.nonEmpty(members, "members")
        try Check.identifier(decision.rulesetID, "decision.rulesetID")
    }
}
