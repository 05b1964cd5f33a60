import Contracts
import Rules

// The messages and the rules engine each have their own types; they meet here.

extension EligibilityDecided.Decision {
    /// The engine's decision as version 1 of the message carries it.
    public init(_ decision: EligibilityDecision) {
        self.init(
            familyID: decision.familyID, decidedOn: decision.decidedOn, rulesetID: decision.rulesetID,
            rulesetVersion: decision.rulesetVersion, rulesetHash: decision.rulesetHash, isEligible: decision.isEligible,
            criteria: decision.criteria.map { criterion in
                EligibilityDecided.Criterion(
                    id: criterion.id, name: criterion.name, isMet: criterion.isMet,
                    findings: criterion.findings.map {
                        EligibilityDecided.Finding(isMet: $0.isMet, personID: $0.personID, evidenceIDs: $0.evidenceIDs, text: $0.text)
                    })
            },
            summary: decision.summary)
    }
}
