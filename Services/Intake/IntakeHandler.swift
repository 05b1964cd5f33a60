import Contracts
import Foundation
import Kafka
import Postgres
import StageLogic
import Store
import WorkerRuntime

/// What intake reads: a referral or an evidence record, with the keys it
/// is matched by, and the bytes and signature the agency sent, checked
/// against its key when admitted.
struct IntakeEvent: Sendable {
    var submission: HouseholdMatcher.Submission
    var payload: [UInt8]
    var signature: [UInt8]?
    var signatureKeyID: [UInt8]?
    var signaturePath: [UInt8]?
    /// The sender's id for the message, which its receipt answers.
    var eventID: String?

    init(_ submission: HouseholdMatcher.Submission, from message: KafkaMessage) {
        self.submission = submission
        payload = message.value
        signature = message.headers.last { $0.name == AgencySignature.header }?.value
        signatureKeyID = message.headers.last { $0.name == AgencySignature.keyHeader }?.value
        signaturePath = message.headers.last { $0.name == AgencySignature.pathHeader }?.value
        eventID = message.eventID
    }

    var agency: String { submission.agency }
}

struct IntakeHandler: StageHandler {
    static let stage = Stage.intake

    let topics: Topics
    let decoders: TopicDecoders<IntakeEvent>

    init(topics: Topics) {
        self.topics = topics
        decoders = TopicDecoders(
            stage: Self.stage.rawValue,
            [
                topics.referralsSubmitted: { message throws(ContractError) in
                    IntakeEvent(.init(try ReferralSubmitted.decode(message.value)), from: message)
                },
                topics.evidenceSubmitted: { message throws(ContractError) in
                    IntakeEvent(.init(try EvidenceSubmitted.decode(message.value)), from: message)
                },
            ])
    }

    /// Each message's agency must be registered and active, and its
    /// signature must match one of the agency's keys in use: a message that
    /// fails is dead-lettered alone.
    func admit(_ events: [IntakeEvent], on connection: PostgresConnection) throws -> [Rejection?] {
        let keys = try AgencyKeys.load(for: Set(events.map(\.agency)), on: connection)
        let now = Date()
        var checked = AgencySignature.CheckedBatches()
        return events.map { event in
            keys.refusal(
                agency: event.agency, signature: event.signature, keyID: event.signatureKeyID, path: event.signaturePath, payload: event.payload,
                at: now, checked: &checked
            ).map(Rejection.init)
        }
    }

    func lock(_ events: [IntakeEvent], on connection: PostgresConnection) throws {
        try HouseholdMatcher.lock(events.map(\.submission), on: connection)
    }

    func apply(_ events: [IntakeEvent], in batch: inout HandlerBatch) throws {
        let submissions = events.map(\.submission)
        let now = Date()
        let known = try HouseholdMatcher.Known.load(for: submissions, on: batch.connection)
        let plan = HouseholdMatcher.plan(submissions, known: known, now: now)
        let released = try HouseholdMatcher.write(plan, now: now, on: batch.connection)
        for message in plan.messages {
            switch message {
            case .accepted(let accepted): batch.emit(accepted, to: topics.referralsAccepted)
            case .recorded(let recorded): batch.emit(recorded, to: topics.evidenceRecorded)
            }
        }
        var receipts = zip(events, plan.receipts).map { event, receipt in
            var receipt = receipt
            receipt.eventID = event.eventID
            return receipt
        }
        for (recorded, receipt) in released {
            batch.emit(recorded, to: topics.evidenceRecorded)
            receipts.append(receipt)
        }
        try issue(receipts, in: &batch)
    }

    /// A refused message is answered too: its receipt says why.
    func deadLettered(_ letters: [(message: KafkaMessage, reason: String)], in batch: inout HandlerBatch) throws {
        let now = Date()
        try issue(
            letters.map { letter in
                Refusals.receipt(
                    kind: letter.message.topic == topics.referralsSubmitted ? .referral : .evidence, payload: letter.message.value,
                    eventID: letter.message.eventID, reason: letter.reason, at: now)
            }, in: &batch)
    }

    /// Keeps the receipts and sends them to the agencies, keyed by agency.
    private func issue(_ receipts: [Receipt], in batch: inout HandlerBatch) throws {
        try ReceiptTable.insert(
            receipts.map {
                ReceiptTable.Row(
                    agencyID: $0.agency, eventID: $0.eventID, kind: $0.kind?.rawValue, itemID: $0.itemID, verdict: $0.verdict.rawValue,
                    familyID: $0.familyID, memberLabels: $0.memberLabels, detail: $0.detail, issuedAt: $0.issuedAt)
            }, on: batch.connection)
        for message in ReceiptsIssued.grouped(receipts) { batch.emit(message, to: topics.receipts) }
    }
}
