import Contracts
import Rules

// The messages and the rules engine each have their own types; they meet here.

extension ReportedFact {
    /// The fact as the rules engine reads it.
    public var ruleFact: EvidenceFact {
        switch self {
        case .offence(let date, let proven): .offence(date: date, proven: proven)
        case .asbIntervention(let type, let date): .asbIntervention(kind: type, date: date)
        case .attendance(let term, let possible, let unauthorised, let authorised):
            .attendance(termID: term.id, possibleSessions: possible, unauthorisedAbsences: unauthorised, authorisedAbsences: authorised)
        case .exclusion(let permanent, let date): .exclusion(permanent: permanent, date: date)
        case .alternativeProvision(let date): .alternativeProvision(date: date)
        case .notOnRoll(let date): .notOnRoll(date: date)
        case .benefitSpell(let benefit, let from, let to): .benefitSpell(benefit: benefit, from: from, to: to)
        case .employmentSpell(let from, let to): .employmentSpell(from: from, to: to)
        case .workProvision(let provision, let date): .workProvision(provision: provision, date: date)
        case .indicator(let name, let date): .indicator(name: name, date: date)
        }
    }
}

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
