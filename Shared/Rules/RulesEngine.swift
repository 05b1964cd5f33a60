import Vocabulary

/// The programme's rules applied to a family: pure functions of their
/// inputs, so the same inputs give the same output, explanations included.
public enum RulesEngine {
    /// Decides whether `family` meets the ruleset's criteria on `asOf`.
    public static func eligibility(
        family: Family, evidence: Evidence, asOf: CalendarDate, ruleset: Ruleset
    ) -> EligibilityDecision {
        let context = EvaluationContext(family: family, evidence: evidence, asOf: asOf, adultAge: ruleset.adultAge)
        let outcomes = ruleset.criteria.map(context.evaluate)
        let met = outcomes.filter(\.isMet).map(\.id)
        let isEligible = ruleset.eligibility.isSatisfied(by: met)
        let metNames = outcomes.filter(\.isMet).map(\.name)
        let meets = metNames.isEmpty ? "meets no criterion" : "meets \(list(metNames))"
        let summary =
            (isEligible ? "Eligible: " : "Not eligible: ") + meets + "; the rule is " + ruleset.eligibilityDescription
            + " (\(ruleset.reference))"
        return EligibilityDecision(
            familyID: family.id, decidedOn: asOf, rulesetID: ruleset.id, rulesetVersion: ruleset.version,
            rulesetHash: ruleset.contentHash, isEligible: isEligible, criteria: outcomes, summary: summary)
    }
}
