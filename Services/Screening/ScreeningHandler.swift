import Contracts
import Foundation
import Kafka
import Pipeline
import Postgres
import Rules
import Store
import WorkerRuntime

enum ScreeningEvent: Sendable {
    case accepted(ReferralAccepted)
    case evidence(EvidenceRecorded)

    var familyID: UUID {
        switch self {
        case .accepted(let message): message.familyID
        case .evidence(let message): message.familyID
        }
    }
}

/// Records the families and evidence it reads, then screens every family a
/// batch touched; a decision is recorded and sent when it is the family's
/// first or says something new (eligibility, criteria met, ruleset).
struct ScreeningHandler: WorkerHandler {
    static let serviceName = "turnaround-screening"

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

    /// A family's acceptance and its evidence come on two topics, so on two
    /// lanes or replicas at once: each batch holds its families' locks.
    func lock(_ events: [ScreeningEvent], on connection: PostgresConnection) throws {
        try AdvisoryLocks.screeningFamilies.lock(events.map(\.familyID.uuidString), on: connection)
    }

    func apply(_ events: [ScreeningEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        var evidence: [EvidenceRecorded] = []
        for event in events {
            switch event {
            case .accepted(let message):
                try ScreeningFamilyTable.upsert(message.familyID, members: ContractJSON.encode(message.members), on: connection)
            case .evidence(let message):
                evidence.append(message)
            }
        }
        try FamilyEvidence.record(evidence, in: .screening, on: connection)

        let screener = Screener(ruleset: ruleset, asOf: today())
        let reviews = try screener.review(Array(Set(events.map(\.familyID))), on: connection)
        for decided in try screener.record(reviews.filter(\.differsFromLatest), decidedBy: Self.serviceName, on: connection) {
            batch.emit(decided, to: topics.eligibilityDecided)
        }
    }
}
