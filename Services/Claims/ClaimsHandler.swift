import Contracts
import Foundation
import Kafka
import Postgres
import Rules
import StageLogic
import Store
import Vocabulary
import WorkerRuntime

enum ClaimsEvent: Sendable {
    /// A decision, an attachment, a closure or a merge: what claims keeps of the family.
    case family(ClaimsFamilyUpdates.Change)
    case evidence(EvidenceRecorded)

    /// The families it names.
    var familyIDs: [UUID] {
        switch self {
        case .family(let change): change.familyIDs
        case .evidence(let message): [message.familyID]
        }
    }

    var merged: FamilyMerged? {
        if case .family(.merged(let message)) = self { return message }
        return nil
    }

    var familyChange: ClaimsFamilyUpdates.Change? {
        if case .family(let change) = self { return change }
        return nil
    }

    var evidence: EvidenceRecorded? {
        if case .evidence(let message) = self { return message }
        return nil
    }
}

/// Records decisions, attachments, closures and evidence (each family's row read once
/// and written once a batch), then measures every eligible, attached family
/// a batch touched and claims what it earned and was not claimed before.
struct ClaimsHandler: StageHandler {
    static let stage = Stage.claims
    /// Who the stage's claims are recorded as made by.
    static let serviceName = "turnaround-claims"

    let topics: Topics
    let ruleset: Ruleset
    let today: @Sendable () -> CalendarDate
    let decoders: TopicDecoders<ClaimsEvent>
    /// How often the measurement sweep looks for families not measured today.
    let sweepInterval: Duration

    init(topics: Topics, ruleset: Ruleset, today: @escaping @Sendable () -> CalendarDate, sweepInterval: Duration) {
        self.topics = topics
        self.ruleset = ruleset
        self.today = today
        self.sweepInterval = sweepInterval
        decoders = TopicDecoders(
            stage: Self.stage.rawValue,
            [
                topics.eligibilityDecided: { message throws(ContractError) in .family(.decided(try EligibilityDecided.decode(message.value))) },
                topics.familiesAttached: { message throws(ContractError) in
                    .family(.attached(try Self.checkPayable(FamilyAttached.decode(message.value), under: ruleset)))
                },
                topics.familiesClosed: { message throws(ContractError) in .family(.closed(try FamilyClosed.decode(message.value))) },
                topics.evidenceRecorded: { message throws(ContractError) in .evidence(try EvidenceRecorded.decode(message.value)) },
                topics.familiesMerged: { message throws(ContractError) in .family(.merged(try FamilyMerged.decode(message.value))) },
            ])
    }

    /// An attachment in a year the ruleset has no payments for could never be claimed.
    private static func checkPayable(_ attached: FamilyAttached, under ruleset: Ruleset) throws(ContractError) -> FamilyAttached {
        do {
            _ = try RulesEngine.payments(for: PaymentBasis(attachedOn: attached.attachedOn, achievedResults: []), ruleset: ruleset)
        } catch {
            throw ContractError(field: "attachedOn", problem: "\(error)")
        }
        return attached
    }

    /// Records the ruleset the stage starts with, or refuses to start (``RulesetChanged``).
    func prepare(on connection: PostgresConnection) throws {
        try RulesetInUse.record(ruleset, by: Self.stage.rawValue, on: connection)
    }

    /// A family's decision, attachment, closure, evidence and merges come on five
    /// topics, so on several lanes or replicas at once: each batch holds its
    /// families' locks, those of the families a corrected record moves away
    /// from, and those of the families kept for the merged families it names.
    func lock(_ events: [ClaimsEvent], on connection: PostgresConnection) throws {
        try FamilyMerges.lockFamilies(naming: events.flatMap(\.familyIDs), evidence: events.compactMap(\.evidence), in: .claims, on: connection)
    }

    var dueWorkInterval: Duration? { sweepInterval }

    /// The measurement sweep: families not measured today are measured, and
    /// what time earned them is claimed (``MeasurementSweep``). Replicas share
    /// the families due: one sweeps at a time.
    func applyDue(in batch: inout HandlerBatch, backlog: Int?) throws -> DueWork {
        let turn = try MeasurementSweep(ruleset: ruleset, asOf: today(), claimant: Self.serviceName)
            .turn(on: batch.connection, whenAnotherSweeps: .skip)
        return DueWork(done: turn.measured, moreDue: turn.moreDue, overdueSeconds: 0)
    }

    func apply(_ events: [ClaimsEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        let named = events.flatMap(\.familyIDs)
        let merges = try FamilyMerges.record(events.compactMap(\.merged), naming: named, in: .claims, on: connection)
        // Evidence, attachments and closures on their way when their family was merged
        // belong to the family kept; a merged family's decisions change nothing.
        let movedFrom = try FamilyEvidence.record(events.compactMap(\.evidence).map(merges.redirected), in: .claims, on: connection)
        let changes = events.compactMap(\.familyChange).map { $0.redirected(by: merges) }
        let touched = Array(movedFrom.union(named).union(named.map(merges.family)))
        // One read of the batch's families: folded with its decisions,
        // attachments and merges, written, and measured as they now stand.
        var rows = Dictionary(
            uniqueKeysWithValues: try ClaimsFamilyTable.families(touched, members: [FamilyMember].self, on: connection).map { ($0.familyID, $0) })
        let changed = ClaimsFamilyUpdates.apply(changes, to: rows)
        try ClaimsFamilyTable.write(changed, on: connection)
        for row in changed { rows[row.familyID] = row }

        let claimer = Claimer(ruleset: ruleset, asOf: today(), claimant: Self.serviceName)
        let reviews = try claimer.review(touched, rows: rows, on: connection)
        try claimer.claim(reviews, on: connection)
    }
}
