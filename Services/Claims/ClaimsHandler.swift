import Contracts
import Foundation
import Kafka
import Pipeline
import Postgres
import Rules
import Store
import WorkerRuntime

enum ClaimsEvent: Sendable {
    case decided(EligibilityDecided)
    case attached(FamilyAttached)
    case evidence(EvidenceRecorded)

    var familyID: UUID {
        switch self {
        case .decided(let message): message.familyID
        case .attached(let message): message.familyID
        case .evidence(let message): message.familyID
        }
    }

    var evidence: EvidenceRecorded? {
        if case .evidence(let message) = self { return message }
        return nil
    }
}

/// Records decisions, attachments and evidence, then measures every
/// eligible, attached family a batch touched and claims what it earned and
/// was not claimed before.
struct ClaimsHandler: WorkerHandler {
    /// Who the stage's claims are recorded as made by.
    static let serviceName = "turnaround-claims"

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

    /// A family's decision, attachment and evidence come on three topics,
    /// so on several lanes or replicas at once: each batch holds its families'
    /// locks, and those of the families a corrected record moves away from.
    func lock(_ events: [ClaimsEvent], on connection: PostgresConnection) throws {
        let families = try FamilyEvidence.familiesChanged(
            naming: events.map(\.familyID), evidence: events.compactMap(\.evidence), in: .claims, on: connection)
        try AdvisoryLocks.claimsFamilies.lock(families.map(\.uuidString), on: connection)
    }

    func apply(_ events: [ClaimsEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        for event in events {
            switch event {
            case .decided(let message):
                try ClaimsFamilyTable.recordDecision(
                    familyID: message.familyID, members: ContractJSON.encode(message.members), decisionID: message.decisionID,
                    revision: message.revision, rulesetID: message.decision.rulesetID, isEligible: message.decision.isEligible,
                    decidedOn: message.decision.decidedOn.description, on: connection)
            case .attached(let message):
                try ClaimsFamilyTable.recordAttachment(
                    familyID: message.familyID, attachedOn: message.attachedOn.description, keyworker: message.keyworker,
                    attachedBy: message.recordedBy, on: connection)
            case .evidence:
                break
            }
        }
        let movedFrom = try FamilyEvidence.record(events.compactMap(\.evidence), in: .claims, on: connection)

        let claimer = Claimer(ruleset: ruleset, asOf: today(), claimant: Self.serviceName)
        let reviews = try claimer.review(Array(movedFrom.union(events.map(\.familyID))), checkingClaims: false, on: connection)
        try ResultClaimTable.claim(reviews.flatMap(\.due), on: connection)
    }
}
