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

    var evidence: EvidenceRecorded? {
        if case .evidence(let message) = self { return message }
        return nil
    }
}

/// Records the families and evidence it reads, then screens every family a
/// batch touched; a decision is recorded and sent when it is the family's
/// first or says something new (eligibility, criteria met, ruleset).
struct ScreeningHandler: StageHandler {
    /// Who screening's decisions are recorded as made by.
    static let serviceName = "turnaround-screening"

    let topics: Topics
    let ruleset: Ruleset
    let today: @Sendable () -> CalendarDate
    let decoders: TopicDecoders<ScreeningEvent>

    init(topics: Topics, ruleset: Ruleset, today: @escaping @Sendable () -> CalendarDate) {
        self.topics = topics
        self.ruleset = ruleset
        self.today = today
        decoders = TopicDecoders(
            stage: "screening",
            [
                topics.referralsAccepted: { message throws(ContractError) in .accepted(try ReferralAccepted.decode(message.value)) },
                topics.evidenceRecorded: { message throws(ContractError) in .evidence(try EvidenceRecorded.decode(message.value)) },
            ])
    }

    /// A family's acceptance and its evidence come on two topics, so on two
    /// lanes or replicas at once: each batch holds its families' locks, and
    /// those of the families a corrected record moves away from.
    func lock(_ events: [ScreeningEvent], on connection: PostgresConnection) throws {
        let families = try FamilyEvidence.familiesChanged(
            naming: events.map(\.familyID), evidence: events.compactMap(\.evidence), in: .screening, on: connection)
        try AdvisoryLocks.screeningFamilies.lock(families.map(\.uuidString), on: connection)
    }

    func apply(_ events: [ScreeningEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        // The latest acceptance of each family stands.
        var members: [UUID: String] = [:]
        for case .accepted(let message) in events { members[message.familyID] = ContractJSON.encode(message.members) }
        try ScreeningFamilyTable.upsert(members.map { ($0.key, $0.value) }.sorted { $0.0.uuidString < $1.0.uuidString }, on: connection)
        let movedFrom = try FamilyEvidence.record(events.compactMap(\.evidence), in: .screening, on: connection)

        let screener = Screener(ruleset: ruleset)
        let asOf = today()
        let reviews = try screener.review(Array(movedFrom.union(events.map(\.familyID))), asOf: { _ in asOf }, on: connection)
        for decided in try screener.record(reviews.filter(\.differsFromLatest), decidedBy: Self.serviceName, on: connection) {
            batch.emit(decided, to: topics.eligibilityDecided)
        }
    }
}
