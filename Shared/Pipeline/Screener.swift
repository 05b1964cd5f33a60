import Contracts
import Foundation
import Postgres
import Rules
import Store

/// Decides families from what screening holds (members and evidence) and
/// compares each decision with the family's latest recorded one. The
/// screening stage and `turnaround check decisions` decide the same way.
///
/// Call it holding the families' screening locks
/// (``AdvisoryLocks/screeningFamilies``), so what it reads is whole.
public struct Screener: Sendable {
    public let ruleset: Ruleset
    public let asOf: CalendarDate

    public init(ruleset: Ruleset, asOf: CalendarDate) {
        self.ruleset = ruleset
        self.asOf = asOf
    }

    /// One family decided now, beside its latest recorded decision.
    public struct Review: Sendable {
        public var familyID: UUID
        public var members: [FamilyMember]
        public var decision: EligibilityDecision
        public var latest: EligibilityDecisionTable.Latest?

        /// Whether the decision says something the latest recorded one does
        /// not (eligibility, criteria met, ruleset), or none was recorded.
        public var differsFromLatest: Bool {
            guard let latest else { return true }
            return latest.isEligible != decision.isEligible || latest.metCriteria != decision.metCriteria
                || latest.rulesetHash != decision.rulesetHash
        }
    }

    /// Decides those of these families whose members screening knows (the
    /// evidence about a family can arrive before its referral), in family id order.
    public func review(_ familyIDs: [UUID], on connection: PostgresConnection) throws -> [Review] {
        let members = try ScreeningFamilyTable.members(of: familyIDs, on: connection)
        let known = members.keys.sorted { $0.uuidString < $1.uuidString }
        let evidence = try FamilyEvidence.load(of: known, from: .screening, on: connection)
        let latest = try EligibilityDecisionTable.latest(of: known, on: connection)
        return try known.map { familyID in
            let family = Family(
                id: familyID.uuidString.lowercased(), members: try ContractJSON.decode([FamilyMember].self, from: members[familyID]!))
            let decision = RulesEngine.eligibility(
                family: family, evidence: evidence[familyID] ?? Evidence(records: [], terms: []), asOf: asOf, ruleset: ruleset)
            return Review(familyID: familyID, members: family.members, decision: decision, latest: latest[familyID])
        }
    }

    /// Records each review's decision as its family's next revision.
    /// - Parameter decidedBy: the service, or the user, deciding.
    /// - Returns: the messages announcing the decisions, to send through the
    ///   outbox in the same transaction.
    public func record(_ reviews: [Review], decidedBy: String, on connection: PostgresConnection) throws -> [EligibilityDecided] {
        let decided = reviews.map { review in
            EligibilityDecided(familyID: review.familyID, decisionID: UUID(), decision: review.decision, members: review.members)
        }
        try EligibilityDecisionTable.insert(
            zip(reviews, decided).map { review, message in
                let decision = review.decision
                return EligibilityDecisionTable.Row(
                    decisionID: message.decisionID, familyID: review.familyID, revision: (review.latest?.revision ?? 0) + 1,
                    decidedBy: decidedBy, decidedOn: asOf.description, rulesetID: decision.rulesetID,
                    rulesetVersion: decision.rulesetVersion, rulesetHash: decision.rulesetHash, isEligible: decision.isEligible,
                    metCriteria: decision.metCriteria, summary: decision.summary, decision: ContractJSON.encode(decision))
            },
            on: connection)
        return decided
    }
}
