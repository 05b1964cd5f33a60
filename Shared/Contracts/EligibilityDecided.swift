import Foundation
import Vocabulary

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
    public var decision: Decision
    /// The family as screened, for the results the claims stage measures.
    public var members: [FamilyMember]

    public init(familyID: UUID, decisionID: UUID, revision: Int?, decision: Decision, members: [FamilyMember]) {
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

    /// The decision as version 1 carries it: the outcome, the ruleset it was
    /// made under, and each criterion's findings in words. Its own type, so
    /// a change inside the rules engine cannot change the message.
    public struct Decision: Codable, Sendable, Hashable {
        public var familyID: String
        public var decidedOn: CalendarDate
        public var rulesetID: String
        public var rulesetVersion: String
        public var rulesetHash: String
        public var isEligible: Bool
        public var criteria: [Criterion]
        /// One sentence for a co-ordinator: the outcome and the rule applied.
        public var summary: String

        public init(
            familyID: String, decidedOn: CalendarDate, rulesetID: String, rulesetVersion: String, rulesetHash: String, isEligible: Bool,
            criteria: [Criterion], summary: String
        ) {
            self.familyID = familyID
            self.decidedOn = decidedOn
            self.rulesetID = rulesetID
            self.rulesetVersion = rulesetVersion
            self.rulesetHash = rulesetHash
            self.isEligible = isEligible
            self.criteria = criteria
            self.summary = summary
        }
    }

    /// One criterion's outcome and the findings behind it.
    public struct Criterion: Codable, Sendable, Hashable {
        public var id: String
        public var name: String
        public var isMet: Bool
        public var findings: [Finding]

        public init(id: String, name: String, isMet: Bool, findings: [Finding]) {
            self.id = id
            self.name = name
            self.isMet = isMet
            self.findings = findings
        }
    }

    /// What the rules found, about a member (or the whole family when
    /// `personID` is absent), with the evidence records it rests on.
    public struct Finding: Codable, Sendable, Hashable {
        public var isMet: Bool
        public var personID: String?
        public var evidenceIDs: [String]
        public var text: String

        public init(isMet: Bool, personID: String?, evidenceIDs: [String], text: String) {
            self.isMet = isMet
            self.personID = personID
            self.evidenceIDs = evidenceIDs
            self.text = text
        }
    }
}
