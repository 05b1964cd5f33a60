import ArgumentParser
import Contracts
import Foundation
import Postgres
import Rules
import StageLogic
import Store
import Vocabulary

struct RescreenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rescreen",
        abstract: "Have screening decide families again from the evidence it holds, and follow its progress.",
        discussion: """
            Sends screening one request a family (on families.rescreen, keyed by family, so every \
            screening replica takes its share, each family once). Screening decides each family as \
            of --as-of / AS_OF_DATE (or its today) and records and sends on only the decisions that \
            change, as made by --by. --ruleset / RULESET names the ruleset screening must be running: \
            a screening process running another sets the request aside, and this command says so and \
            exits 1. Claims keeps the rule that eligibility counts at entry: a family attached while \
            eligible stays claimable whatever a rescreen decides. Interrupting the command stops the \
            watching, not the rescreen.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var programme: ProgrammeOptions
    @Option(name: .customLong("family"), help: "A family to rescreen; give it once a family.") var families: [String] = []
    @Flag(help: "Rescreen every family screening knows.") var all = false
    @Option(help: "Who asks (your staff id), recorded with each decision that changes.") var by: String

    func validate() throws {
        guard all != !families.isEmpty else { throw ValidationError("give --all, or --family once for each family to rescreen") }
        for family in families where UUID(uuidString: family) == nil { throw ValidationError("--family \(family) is not a family id") }
    }

    func run() async throws {
        let (ruleset, _) = try programme.resolve()
        let asOf = try programme.fixedDate()
        let topics = Topics.fromEnvironment()
        let requestID = UUID()
        // What screening would refuse is refused here, before anything is sent.
        do throws(ContractError) {
            try FamilyRescreenRequested(
                requestID: requestID, familyID: requestID, rulesetID: ruleset.id, rulesetVersion: ruleset.version,
                rulesetHash: ruleset.contentHash, asOf: asOf, requestedBy: by
            ).validate()
        } catch {
            throw ValidationError(
                error.problems.map { "\($0.field == "requestedBy" ? "--by" : $0.field): \($0.problem)" }.joined(separator: "; "))
        }
        let progress = TerminalProgress(quiet: common.quiet)
        let (all, asked, by, patience) = (all, families, by, max(30, common.timeout))
        let final = try await common.withPool { pool in
            let count = try await pool.withTransaction { connection in
                let familyIDs = try Self.familyIDs(all: all, asked: asked, on: connection)
                try RescreenTable.insert(
                    RescreenTable.Request(
                        requestID: requestID, requestedBy: by, rulesetID: ruleset.id, rulesetVersion: ruleset.version,
                        rulesetHash: ruleset.contentHash, asOf: asOf?.description, families: familyIDs.count), on: connection)
                let requests = familyIDs.map { familyID in
                    let request = FamilyRescreenRequested(
                        requestID: requestID, familyID: familyID, rulesetID: ruleset.id, rulesetVersion: ruleset.version,
                        rulesetHash: ruleset.contentHash, asOf: asOf, requestedBy: by)
                    return OutboxEvent(topic: topics.familiesRescreen, key: Array(request.partitionKey.utf8), payload: request.encoded())
                }
                // Sent as screening's own, so screening's relay publishes them.
                for chunk in stride(from: 0, to: requests.count, by: 10_000).map({ requests[$0..<min($0 + 10_000, requests.count)] }) {
                    try OutboxTable.append(Array(chunk), stage: topics.consumerGroup("screening"), on: connection)
                }
                return familyIDs.count
            }
            return try await Self.watch(
                requestID, families: count, topic: topics.familiesRescreen, pool: pool, progress: progress, patience: patience)
        }
        progress.clear()
        let day = asOf.map { "as of \($0)" } ?? "as of screening's today"
        common.say(
            "rescreened \(final.progress.decided) of \(final.progress.families) families under \(ruleset.reference) \(day): "
                + "\(final.progress.changed) decision(s) changed, recorded as made by \(by) (turnaround rescreen)")
        if final.progress.setAside > 0 {
            throw CommandFailure.refused("\(final.progress.setAside) family(ies) set aside: \(final.progress.setAsideReason ?? "")")
        }
        if let (count, reason) = final.deadLettered {
            throw CommandFailure.refused(
                "\(count) request(s) dead-lettered by screening (turnaround dlq list --topic \(topics.familiesRescreen)): \(reason)")
        }
    }

    /// The families asked for; every one must be a family screening knows.
    private static func familyIDs(all: Bool, asked families: [String], on connection: PostgresConnection) throws -> [UUID] {
        guard !all else { return try ScreeningFamilyTable.allFamilyIDs(on: connection) }
        let asked = Array(Set(families.compactMap(UUID.init(uuidString:)))).sorted()
        let known = try ScreeningFamilyTable.members(of: asked, as: [FamilyMember].self, on: connection)
        let unknown = asked.filter { known[$0] == nil }.map { $0.uuidString.lowercased() }
        guard unknown.isEmpty else {
            throw CommandFailure.refused("screening knows no family \(unknown.joined(separator: ", ")): nothing was sent")
        }
        return asked
    }

    /// Follows screening's progress until every family is decided, set
    /// aside, or its request dead-lettered (which only a fault in screening
    /// does), saying once if screening takes none for a while.
    /// - Returns: the rescreen's progress, and how many of its requests were
    ///   dead-lettered, with the first one's reason.
    private static func watch(
        _ requestID: UUID, families: Int, topic: String, pool: PostgresPool, progress: TerminalProgress, patience: Int
    ) async throws -> (progress: RescreenTable.Progress, deadLettered: (count: Int, reason: String)?) {
        var last = RescreenTable.Progress(families: families, decided: 0, changed: 0, setAside: 0, setAsideReason: nil)
        // Requests name their rescreen by id, written as the messages' JSON writes a UUID;
        // one replayed since is counted where screening counts it.
        let ours = DeadLetterTable.Selection(topic: topic, replayed: false, payloadContaining: Array(requestID.uuidString.utf8))
        var deadLettered = 0
        var lastChange = ContinuousClock.now
        var warned = false
        while !last.isFinished, last.decided + last.setAside + deadLettered < families {
            try await Task.sleep(for: .milliseconds(200))
            guard
                let (now, dead) = try await pool.withConnection({ connection in
                    try RescreenTable.progress(of: requestID, on: connection).map { ($0, try DeadLetterTable.count(ours, on: connection)) }
                })
            else { throw CommandFailure.environment("rescreen \(requestID.uuidString.lowercased()) is no longer in the database") }
            if now != last || dead != deadLettered { lastChange = .now }
            (last, deadLettered) = (now, dead)
            progress.show("rescreening: \(now.decided + now.setAside) of \(now.families) families, \(now.changed) changed")
            if ContinuousClock.now - lastChange > .seconds(patience * 10) {
                progress.clear()
                throw CommandFailure.environment(
                    "screening has taken none of the families of rescreen \(requestID.uuidString.lowercased()) for \(patience * 10) s; "
                        + "it goes on when screening runs: \(last.decided + last.setAside) of \(families) done so far")
            }
            if !warned, ContinuousClock.now - lastChange > .seconds(patience) {
                progress.clear()
                FileHandle.standardError.write(
                    Data(
                        ("screening has taken none of these families for \(patience) s: is turnaround-screening running? "
                            + "(still watching; Ctrl-C stops the watching, not the rescreen)\n").utf8))
                warned = true
            }
        }
        guard deadLettered > 0 else { return (last, nil) }
        let first = try await pool.withConnection { try DeadLetterTable.list(ours, limit: 1, on: $0).first?.reason }
        return (last, (deadLettered, first ?? ""))
    }
}
