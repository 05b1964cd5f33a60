import Contracts
import Foundation
import Postgres
import Rules
import Store
import Vocabulary

/// Decides families from what screening holds (members and evidence) and
/// compares each decision with the family's latest recorded one. The
/// screening stage and `turnaround check decisions` decide the same way.
///
/// Call it holding the families' screening locks
/// (``AdvisoryLocks/screeningFamilies``), so what it reads is whole.
public struct Screener: Sendable {
    public let ruleset: Ruleset

    public init(ruleset: Ruleset) {
        self.ruleset = ruleset
    }

    /// One family decided now, beside its latest recorded decision.
    public struct Review: Sendable {
        public var familyID: UUID
        public var members: [FamilyMember]
        public var decision: EligibilityDecision
        public var latest: EligibilityDecisionTable.Latest?

        /// What the decision says that the latest recorded one does not:
        /// `outcome`, `criteria`, `ruleset`, `members` (people joined, or a
        /// family merged in: claims measures the members it is sent);
        /// `never decided` when none was recorded.
        public var differences: [String] {
            guard let latest else { return ["never decided"] }
            return [
                latest.isEligible != decision.isEligible ? "outcome" : nil,
                latest.metCriteria != decision.metCriteria ? "criteria" : nil,
                latest.rulesetHash != decision.rulesetHash ? "ruleset" : nil,
                latest.memberIDs.map { Set($0) != Set(members.map(\.id)) } == true ? "members" : nil,
            ].compactMap { $0 }
        }

        /// Whether the decision says something new: it is then recorded and sent.
        public var differsFromLatest: Bool { !differences.isEmpty }
    }

    /// Decides those of these families whose members screening knows (the
    /// evidence about a family can arrive before its referral), in family id order.
    /// - Parameter asOf: the day to decide each family as of, given its latest decision.
    public func review(
        _ familyIDs: [UUID], asOf: (EligibilityDecisionTable.Latest?) -> CalendarDate, on connection: PostgresConnection
    ) throws -> [Review] {
        let held = try FamilyEvidence.held(familyIDs, on: connection)
        let latest = try EligibilityDecisionTable.latest(of: held.map(\.familyID), on: connection)
        return held.map { held in
            let latest = latest[held.familyID]
            let decision = RulesEngine.eligibility(family: held.family, evidence: held.evidence, asOf: asOf(latest), ruleset: ruleset)
            return Review(familyID: held.familyID, members: held.family.members, decision: decision, latest: latest)
        }
    }

    /// Records each review's decision as its family's next revision, and
    /// writes the message announcing it. Each decision is written as JSON
    /// once: the row keeps the bytes the message carries (the rules engine's
    /// decision and the message's have one shape).
    /// - Parameters:
    ///   - decidedBy: the service, or the user, deciding.
    ///   - topic: where the messages go.
    /// - Returns: the messages announcing the decisions, to send through the
    ///   outbox in the same transaction.
    public func record(
        _ reviews: [Review], decidedBy: String, announcingOn topic: String, on connection: PostgresConnection
    ) throws -> [OutboxEvent] {
        var announcements: [OutboxEvent] = []
        var rows: [EligibilityDecisionTable.Row] = []
        for review in reviews {
            let decision = review.decision
            let revision = (review.latest?.revision ?? 0) + 1
            let message = EligibilityDecided(
                familyID: review.familyID, decisionID: UUID(), revision: revision, decision: EligibilityDecided.Decision(decision),
                members: review.members)
            let decisionJSON = message.decision.encodedJSON()
            announcements.append(
                OutboxEvent(topic: topic, key: Array(message.partitionKey.utf8), payload: message.encoded(decisionJSON: decisionJSON)))
            rows.append(
                EligibilityDecisionTable.Row(
                    decisionID: message.decisionID, familyID: review.familyID, revision: revision, decidedBy: decidedBy,
                    decidedOn: decision.decidedOn.description, rulesetID: decision.rulesetID, rulesetVersion: decision.rulesetVersion,
                    rulesetHash: decision.rulesetHash, isEligible: decision.isEligible, metCriteria: decision.metCriteria,
                    summary: decision.summary, memberIDs: review.members.map(\.id), decision: String(decoding: decisionJSON, as: UTF8.self)))
        }
        try EligibilityDecisionTable.insert(rows, on: connection)
        return announcements
    }
}
