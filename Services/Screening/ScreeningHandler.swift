import Contracts
import Foundation
import Kafka
import Postgres
import Rules
import StageLogic
import Store
import Vocabulary
import WorkerRuntime

enum ScreeningEvent: Sendable {
    case accepted(ReferralAccepted)
    case evidence(EvidenceRecorded)
    case merged(FamilyMerged)
    case rescreen(FamilyRescreenRequested)

    /// The families it names: a merge names the family kept and the one merged into it.
    var familyIDs: [UUID] {
        switch self {
        case .accepted(let message): [message.familyID]
        case .evidence(let message): [message.familyID]
        case .merged(let message): [message.familyID, message.mergedFamilyID]
        case .rescreen(let message): [message.familyID]
        }
    }

    var merged: FamilyMerged? {
        if case .merged(let message) = self { return message }
        return nil
    }

    /// The family's members, as an acceptance or a merge names them.
    var members: (familyID: UUID, members: [FamilyMember])? {
        switch self {
        case .accepted(let message): (message.familyID, message.members)
        case .merged(let message): (message.familyID, message.members)
        case .evidence, .rescreen: nil
        }
    }

    var evidence: EvidenceRecorded? {
        if case .evidence(let message) = self { return message }
        return nil
    }

    var rescreen: FamilyRescreenRequested? {
        if case .rescreen(let message) = self { return message }
        return nil
    }
}

/// Records the families and evidence it reads, and makes every family a
/// batch touched due for a decision once its events stop coming; its
/// put-off work decides the families that are due, once each. A decision is
/// recorded and sent when it is the family's first or says something new
/// (eligibility, criteria met, ruleset). A co-ordinator's rescreen is decided
/// in the batch that reads it.
struct ScreeningHandler: StageHandler {
    static let stage = Stage.screening
    /// Who screening's decisions are recorded as made by.
    static let serviceName = "turnaround-screening"
    /// The most families decided in one transaction.
    static let familiesPerTurn = 500
    /// Messages behind at which screening counts itself inside a bulk load:
    /// it then decides only the families that have waited the longest wait,
    /// and the rest once it has caught up, since their other records may
    /// still be on their way (a family's records come through several
    /// partitions, which Kafka consumers do not read in step).
    static let bulkLoadBacklog = 1_000
    /// The stages whose messages screening reads: while they are a bulk load
    /// behind, so is screening, however little its own consumer holds.
    static let upstreamStages: [Stage] = [.intake]
    /// How long a family whose stored members or evidence cannot be read
    /// waits before it is tried again.
    static let unreadableRetry = Duration.seconds(3600)

    let topics: Topics
    let ruleset: Ruleset
    let today: @Sendable () -> CalendarDate
    let windows: ScreeningPendingTable.Windows
    let decoders: TopicDecoders<ScreeningEvent>

    init(topics: Topics, ruleset: Ruleset, today: @escaping @Sendable () -> CalendarDate, windows: ScreeningPendingTable.Windows) {
        self.topics = topics
        self.ruleset = ruleset
        self.today = today
        self.windows = windows
        decoders = TopicDecoders(
            stage: Self.stage.rawValue,
            [
                topics.referralsAccepted: { message throws(ContractError) in .accepted(try ReferralAccepted.decode(message.value)) },
                topics.evidenceRecorded: { message throws(ContractError) in .evidence(try EvidenceRecorded.decode(message.value)) },
                topics.familiesMerged: { message throws(ContractError) in .merged(try FamilyMerged.decode(message.value)) },
                topics.familiesRescreen: { message throws(ContractError) in .rescreen(try FamilyRescreenRequested.decode(message.value)) },
            ])
    }

    /// Records the ruleset the stage starts with, or refuses to start (``RulesetChanged``).
    func prepare(on connection: PostgresConnection) throws {
        try RulesetInUse.record(ruleset, by: Self.stage.rawValue, on: connection)
    }

    /// A family's acceptance, its evidence and its merges come on three
    /// topics, so on several lanes or replicas at once: each batch holds its
    /// families' locks, those of the families a corrected record moves away
    /// from, and those of the families kept for the merged families it names.
    func lock(_ events: [ScreeningEvent], on connection: PostgresConnection) throws {
        try FamilyMerges.lockFamilies(
            naming: events.flatMap(\.familyIDs), evidence: events.compactMap(\.evidence), in: .screening, on: connection)
    }

    func apply(_ events: [ScreeningEvent], in batch: inout HandlerBatch) throws {
        let connection = batch.connection
        let mergedNow = events.compactMap(\.merged)
        let merges = try FamilyMerges.record(mergedNow, naming: events.flatMap(\.familyIDs), in: .screening, on: connection)
        // Each family's members as its messages name them, added to what is known.
        var members: [UUID: [String: FamilyMember]] = [:]
        for case let (familyID, named)? in events.map(\.members) {
            for member in named {
                let label = merges.member(member.id, of: familyID)
                members[merges.family(familyID), default: [:]][label] = FamilyMember(id: label, dateOfBirth: member.dateOfBirth)
            }
        }
        try ScreeningFamilyTable.upsert(
            members.map { ($0.key, $0.value.values.sorted { $0.id < $1.id }) }.sorted { $0.0 < $1.0 }, on: connection)
        try ScreeningFamilyTable.remove(mergedNow.map(\.mergedFamilyID), on: connection)
        let evidence = events.compactMap(\.evidence).map(merges.redirected)
        let movedFrom = try FamilyEvidence.record(evidence, in: .screening, on: connection)
        // A rescreen decides its families itself (below): they are not due again for it.
        let touched = movedFrom.union(events.filter { $0.rescreen == nil }.flatMap(\.familyIDs).map(merges.family))
        try ScreeningPendingTable.touch(touched.subtracting(mergedNow.map(\.mergedFamilyID)), windows: windows, on: connection)
        try rescreen(events.compactMap(\.rescreen), merges: merges, in: &batch)
    }

    /// Decides again, now, the families co-ordinators asked to be rescreened,
    /// from what screening holds (this batch's events included), recording
    /// and sending only the decisions that change. A request for another
    /// ruleset than this process's is set aside, not decided: the rescreen
    /// counts it with the reason. Each rescreen counts its families in this
    /// transaction, as its last statement, so its progress is exact whatever fails.
    private func rescreen(_ requests: [FamilyRescreenRequested], merges: FamilyMerges, in batch: inout HandlerBatch) throws {
        guard !requests.isEmpty else { return }
        var steps: [UUID: RescreenTable.Step] = [:]
        // Runs in the order their first request came, so a later request's decision is the one that stands.
        var runs: [RescreenRun] = []
        var toDecide: [RescreenRun: [UUID: [UUID]]] = [:]
        for request in requests {
            var step = steps[request.requestID] ?? RescreenTable.Step(requestID: request.requestID)
            if request.rulesetHash == ruleset.contentHash {
                step.decided += 1
                let run = RescreenRun(asOf: request.asOf, by: request.requestedBy)
                if toDecide[run] == nil { runs.append(run) }
                toDecide[run, default: [:]][merges.family(request.familyID), default: []].append(request.requestID)
            } else {
                step.setAside += 1
                step.setAsideReason =
                    "a screening process runs \(ruleset.reference), not \(request.rulesetID)@\(request.rulesetVersion)#\(request.rulesetHash.prefix(12))"
            }
            steps[request.requestID] = step
        }
        let screener = Screener(ruleset: ruleset)
        for run in runs {
            let requestsByFamily = toDecide[run]!
            let day = run.asOf ?? today()
            let reviews = try screener.review(requestsByFamily.keys.sorted(), asOf: { _ in day }, on: batch.connection)
            let changed = reviews.filter(\.differsFromLatest)
            let announcements = try screener.record(
                changed, decidedBy: run.by + " (turnaround rescreen)", announcingOn: topics.eligibilityDecided, on: batch.connection)
            for announcement in announcements { batch.emit(announcement) }
            for review in changed {
                for requestID in Set(requestsByFamily[review.familyID] ?? []) { steps[requestID]?.changed += 1 }
            }
        }
        // Every batch of a rescreen counts into its one row: last, so the lanes wait for each other only through a commit.
        let advanced = steps.values.sorted { $0.requestID < $1.requestID }
        batch.beforeCommit { try RescreenTable.advance(advanced, on: $0) }
    }

    /// Rescreen requests decided together: as of one day, recorded as one person's.
    private struct RescreenRun: Hashable {
        var asOf: CalendarDate?
        var by: String
    }

    /// Looks for due families every tenth of the settle window, and at least
    /// every quarter second.
    var dueWorkInterval: Duration? { max(.milliseconds(10), min(windows.settle / 10, .milliseconds(250))) }

    /// Decides the families that are due (inside a bulk load, only those
    /// that have waited the longest). A family a batch holds is left to a
    /// later turn (the batch makes it due again anyway), so this never waits
    /// for a lock, and two replicas never decide one family twice.
    /// Behind counts this process's consumer (before it has measured, it
    /// counts as behind), the other replicas' and intake's, as they reported.
    func applyDue(in batch: inout HandlerBatch, backlog: Int?) throws -> DueWork {
        let connection = batch.connection
        let isBehind: Bool
        if let backlog {
            let reported = try ReportedBacklog.total(of: ([Self.stage] + Self.upstreamStages).map { topics.consumerGroup($0.rawValue) }, on: connection)
            isBehind = max(backlog, reported) >= Self.bulkLoadBacklog
        } else {
            isBehind = true
        }
        let due = try ScreeningPendingTable.due(
            limit: Self.familiesPerTurn, longestWaitOnly: isBehind ? windows.longestWait : nil, on: connection)
        guard let longestDue = due.first else { return .none }
        let free = try AdvisoryLocks.screeningFamilies.lockFree(due.map(\.familyID.uuidString), on: connection)
        let taken = try ScreeningPendingTable.take(free.compactMap(UUID.init(uuidString:)), on: connection)
        let screener = Screener(ruleset: ruleset)
        let asOf = today()
        var reviews: [Screener.Review] = []
        var setAside: [DueWork.SetAside] = []
        do {
            reviews = try screener.review(taken, asOf: { _ in asOf }, on: connection)
        } catch let error as PostgresError where error.code == .decoding {
            // What screening stored about a family cannot be read: decide the
            // others, and put that one off rather than hold them all up.
            var unreadable: [UUID] = []
            for familyID in taken {
                do {
                    reviews += try screener.review([familyID], asOf: { _ in asOf }, on: connection)
                } catch let error as PostgresError where error.code == .decoding {
                    unreadable.append(familyID)
                    setAside.append(DueWork.SetAside(item: "family \(familyID.uuidString.lowercased())", reason: error.description))
                }
            }
            try ScreeningPendingTable.touch(unreadable, windows: .all(Self.unreadableRetry), on: connection)
        }
        let announcements = try screener.record(
            reviews.filter(\.differsFromLatest), decidedBy: Self.serviceName, announcingOn: topics.eligibilityDecided, on: connection)
        for announcement in announcements { batch.emit(announcement) }
        return DueWork(
            done: taken.count - setAside.count, moreDue: due.count == Self.familiesPerTurn && !taken.isEmpty,
            overdueSeconds: longestDue.overdueSeconds, setAside: setAside)
    }
}
