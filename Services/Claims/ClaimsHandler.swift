import Contracts
import Foundation
import Kafka
import Pipeline
import Rules
import Store
import WorkerRuntime

enum ClaimsEvent: Sendable {
    case decided(EligibilityDecided)
    case attached(FamilyAttached)
    case evidence(EvidenceRecorded)
}

/// Records decisions, attachments and evidence, then measures every
/// eligible, attached family a batch touched and claims what it earned and
/// was not claimed before.
struct ClaimsHandler: WorkerHandler {
    let topics: Topics
    let ruleset: Ruleset
    let today: @Sendable () -> CalendarDate

    func decode(_ message: KafkaMessage) throws(Rejection) -> ClaimsEvent {
        do throws(ContractError) {
            switch message.topic {
            case topics.eligibilityDecided: return .decided(try EligibilityDecided.decode(message.value))
            case topics.familiesAttached: return .attached(try checkPayable(FamilyAttached.decode(message.value)))
            case topics.evidenceRecorded: return .evidence(try EvidenceRecorded.decode(message.value))
            default: break
            }
        } catch {
            throw Rejection(error.description)
        }
        throw Rejection("claims does not read topic \(message.topic)")
    }

    /// An attachment in a year the ruleset has no payments for could never be claimed.
    private func checkPayable(_ attached: FamilyAttached) throws(ContractError) -> FamilyAttached {
        do {
            _ = try RulesEngine.payments(for: PaymentBasis(attachedOn: attached.attachedOn, achievedResults: []), ruleset: ruleset)
        } catch {
            throw ContractError(field: "attachedOn", problem: "\(error)")
        }
        return attached
    }

    func apply(_ events: [ClaimsEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        var touched: Set<UUID> = []
        var evidence: [EvidenceRecorded] = []
        for event in events {
            switch event {
            case .decided(let message):
                try ClaimsFamilyTable.recordDecision(
                    familyID: message.familyID, members: ContractJSON.encode(message.members), decisionID: message.decisionID,
                    rulesetID: message.decision.rulesetID, isEligible: message.decision.isEligible,
                    decidedOn: message.decision.decidedOn.description, on: connection)
                touched.insert(message.familyID)
            case .attached(let message):
                try ClaimsFamilyTable.recordAttachment(
                    familyID: message.familyID, attachedOn: message.attachedOn.description, keyworker: message.keyworker,
                    attachedBy: message.recordedBy, on: connection)
                touched.insert(message.familyID)
            case .evidence(let message):
                evidence.append(message)
                touched.insert(message.familyID)
            }
        }
        try FamilyEvidence.record(evidence, in: .claims, on: connection)

        let families = Array(touched)
        let evidenceByFamily = try FamilyEvidence.load(of: families, from: .claims, on: connection)
        let calculator = ClaimCalculator(ruleset: ruleset, asOf: today(), window: ClaimWindow(containing: today()))
        var claims: [ResultClaimTable.Row] = []
        for row in try ClaimsFamilyTable.families(families, on: connection) {
            guard row.isEligible == true, let attached = row.attachedOn.flatMap(CalendarDate.init(iso:)),
                let membersJSON = row.members
            else { continue }
            let family = Family(id: row.familyID.uuidString.lowercased(), members: try ContractJSON.decode([FamilyMember].self, from: membersJSON))
            claims += try calculator.claims(
                for: family, row: row, attachedOn: attached, evidence: evidenceByFamily[row.familyID] ?? Evidence(records: [], terms: []),
                alreadyClaimed: try ResultClaimTable.claimed(familyID: row.familyID, rulesetID: ruleset.id, on: connection))
        }
        try ResultClaimTable.claim(claims, on: connection)
    }
}
