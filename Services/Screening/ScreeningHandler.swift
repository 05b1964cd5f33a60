import Contracts
import Foundation
import Kafka
import Pipeline
import Rules
import Store
import WorkerRuntime

enum ScreeningEvent: Sendable {
    case accepted(ReferralAccepted)
    case evidence(EvidenceRecorded)
}

/// Records the families and evidence it reads, then screens every family a
/// batch touched; a decision is recorded and sent when it is the family's
/// first or says something new (eligibility, criteria met, ruleset).
struct ScreeningHandler: WorkerHandler {
    let topics: Topics
    let ruleset: Ruleset
    let today: @Sendable () -> CalendarDate

    func decode(_ message: KafkaMessage) throws(Rejection) -> ScreeningEvent {
        do throws(ContractError) {
            switch message.topic {
            case topics.referralsAccepted: return .accepted(try ReferralAccepted.decode(message.value))
            case topics.evidenceRecorded: return .evidence(try EvidenceRecorded.decode(message.value))
            default: break
            }
        } catch {
            throw Rejection(error.description)
        }
        throw Rejection("screening does not read topic \(message.topic)")
    }

    func apply(_ events: [ScreeningEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        var touched: [UUID] = []
        var evidence: [EvidenceRecorded] = []
        for event in events {
            switch event {
            case .accepted(let message):
                try ScreeningFamilyTable.upsert(message.familyID, members: ContractJSON.encode(message.members), on: connection)
                touched.append(message.familyID)
            case .evidence(let message):
                evidence.append(message)
                touched.append(message.familyID)
            }
        }
        try FamilyEvidence.record(evidence, in: .screening, on: connection)

        let families = Array(Set(touched))
        let members = try ScreeningFamilyTable.members(of: families, on: connection)
        let evidenceByFamily = try FamilyEvidence.load(of: families, from: .screening, on: connection)
        let latest = try EligibilityDecisionTable.latestOutcomes(of: families, on: connection)
        let asOf = today()
        var decisions: [EligibilityDecisionTable.Row] = []
        for familyID in families.sorted(by: { $0.uuidString < $1.uuidString }) {
            // Evidence can arrive before the referral that names the family.
            guard let membersJSON = members[familyID] else { continue }
            let family = Family(id: familyID.uuidString.lowercased(), members: try ContractJSON.decode([FamilyMember].self, from: membersJSON))
            let decision = RulesEngine.eligibility(
                family: family, evidence: evidenceByFamily[familyID] ?? Evidence(records: [], terms: []), asOf: asOf, ruleset: ruleset)
            if let previous = latest[familyID], previous.isEligible == decision.isEligible,
                previous.metCriteria == decision.metCriteria, previous.rulesetHash == decision.rulesetHash
            {
                continue
            }
            let decided = EligibilityDecided(familyID: familyID, decisionID: UUID(), decision: decision, members: family.members)
            decisions.append(
                EligibilityDecisionTable.Row(
                    decisionID: decided.decisionID, familyID: familyID, decidedOn: asOf.description, rulesetID: decision.rulesetID,
                    rulesetVersion: decision.rulesetVersion, rulesetHash: decision.rulesetHash, isEligible: decision.isEligible,
                    metCriteria: decision.metCriteria, summary: decision.summary, decision: ContractJSON.encode(decision)))
            batch.emit(decided, to: topics.eligibilityDecided)
        }
        try EligibilityDecisionTable.insert(decisions, on: connection)
    }
}
