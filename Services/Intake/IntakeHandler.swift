import Contracts
import Foundation
import Kafka
import Logging
import Postgres
import Store
import WorkerRuntime

/// What intake reads: a referral or an evidence record, with the bytes and
/// signature the agency sent, checked against its key when applied.
enum IntakeEvent: Sendable {
    case referral(ReferralSubmitted, SignedPayload)
    case evidence(EvidenceSubmitted, SignedPayload)

    var agency: String {
        switch self {
        case .referral(let message, _): message.agency
        case .evidence(let message, _): message.agency
        }
    }

    var signed: SignedPayload {
        switch self {
        case .referral(_, let signed), .evidence(_, let signed): signed
        }
    }
}

struct SignedPayload: Sendable {
    var payload: [UInt8]
    var signature: [UInt8]?
}

struct IntakeHandler: WorkerHandler {
    let topics: Topics
    let logger: Logger

    func decode(_ message: KafkaMessage) throws(Rejection) -> IntakeEvent {
        let signed = SignedPayload(
            payload: message.value, signature: message.headers.last { $0.name == AgencySignature.header }?.value)
        do throws(ContractError) {
            switch message.topic {
            case topics.referralsSubmitted: return .referral(try ReferralSubmitted.decode(message.value), signed)
            case topics.evidenceSubmitted: return .evidence(try EvidenceSubmitted.decode(message.value), signed)
            default: break
            }
        } catch {
            throw Rejection(error.description)
        }
        throw Rejection("intake does not read topic \(message.topic)")
    }

    func lock(_ events: [IntakeEvent], on connection: PostgresConnection) throws {
        try FamilyMatcher.lock(events, on: connection)
    }

    func apply(_ events: [IntakeEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        let keys = try AgencyTable.signingKeys(for: Set(events.map(\.agency)), on: connection)
        var matcher = FamilyMatcher(connection: connection)
        for event in events {
            guard let key = keys[event.agency] else {
                throw Rejection("agency: \(event.agency) is not a registered agency, or is retired")
            }
            do {
                try AgencySignature.verify(event.signed.signature, payload: event.signed.payload, key: key)
            } catch {
                throw Rejection(error.description)
            }
            switch event {
            case .referral(let message, _):
                guard let outcome = try matcher.accept(message) else { continue }
                batch.emit(outcome.accepted, to: topics.referralsAccepted)
                for recorded in outcome.releasedEvidence { batch.emit(recorded, to: topics.evidenceRecorded) }
            case .evidence(let message, _):
                if let recorded = try matcher.match(message) { batch.emit(recorded, to: topics.evidenceRecorded) }
            }
        }
        for skipped in matcher.repeatedReferrals {
            logger.notice("referral received before; nothing changed", metadata: ["agency": "\(skipped.agency)", "referral": "\(skipped.id)"])
        }
    }
}
