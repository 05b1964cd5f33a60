import Vocabulary

/// Whether a family meets the programme's criteria on a date, under a named
/// ruleset, with the evidence behind each criterion.
public struct EligibilityDecision: Sendable, Hashable, Codable {
    public var familyID: String
    public var decidedOn: CalendarDate
    public var rulesetID: String
    public var rulesetVersion: String
    public var rulesetHash: String
    public var isEligible: Bool
    public var criteria: [CriterionOutcome]
    /// One sentence for a co-ordinator: the outcome and the rule applied.
    public var summary: String

    /// The ids of the criteria the family meets, in ruleset order.
    public var metCriteria: [String] { criteria.filter(\.isMet).map(\.id) }
}

/// One criterion's outcome and the findings behind it.
public struct CriterionOutcome: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var isMet: Bool
    public var findings: [Finding]
}
