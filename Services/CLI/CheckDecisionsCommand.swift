import ArgumentParser
import Contracts
import Foundation
import Postgres
import Rules
import StageLogic
import Store
import Vocabulary

struct CheckDecisionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decisions",
        abstract: "Recompute every family's eligibility from the evidence screening holds and report each latest decision that differs.",
        discussion: """
            Decides each family as of the day of its latest decision (or as of --as-of / AS_OF_DATE when \
            given), under --ruleset / RULESET (give the one screening uses), holding the family's \
            screening lock, so a family being decided is never reported half-way; a family screening has \
            not decided since its last events (its settle window) is counted, not checked. Exits 1 while any \
            family's latest decision differs. With --fix, records the recomputed decision as the family's \
            next one (under --by) and sends it on to the claims stage, as screening would; a family whose \
            latest decision was made under another ruleset is reported, not fixed: that is a rescreen.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var programme: ProgrammeOptions
    @Option(help: "table, csv or json.") var format: Report.Format = .table
    @OptionGroup var repair: RepairOptions

    func run() async throws {
        let logger = common.makeLogger()
        let (ruleset, today) = try programme.resolve()
        let fixedDate = try programme.fixedDate()
        let screener = Screener(ruleset: ruleset)
        let topics = Topics.fromEnvironment()
        let topic = topics.eligibilityDecided
        // Sent as screening's own, so screening's relay publishes them.
        let stage = topics.consumerGroup("screening")
        let pool = try await common.pool(logger: logger)
        defer { pool.close() }
        let fixedBy = repair.repairer
        let asOf: @Sendable (EligibilityDecisionTable.Latest?) -> CalendarDate = { latest in
            fixedDate ?? latest.flatMap { CalendarDate(iso: $0.decidedOn) } ?? today()
        }

        let families = try await pool.withConnection { try ScreeningFamilyTable.allFamilyIDs(on: $0) }
        var findings: [Finding] = []
        var awaiting = 0
        do {
            for chunk in CheckCommand.transactions(of: families) {
                let (checked, pending) = try await pool.withTransaction { connection in
                    try AdvisoryLocks.screeningFamilies.lock(chunk.map(\.uuidString), on: connection)
                    // A family whose events are still settling has not been decided yet.
                    let pending = try ScreeningPendingTable.pending(among: chunk, on: connection)
                    let settled = chunk.filter { !pending.contains($0) }
                    let differing = try screener.review(settled, asOf: asOf, on: connection).filter(\.differsFromLatest)
                    guard let fixedBy else { return (differing.map { Finding(review: $0, fixed: false) }, pending.count) }
                    let fixable = differing.filter { !$0.differences.contains("ruleset") }
                    let announcements = try screener.record(fixable, decidedBy: fixedBy, announcingOn: topic, on: connection)
                    try OutboxTable.append(announcements, stage: stage, on: connection)
                    return (differing.map { review in Finding(review: review, fixed: !review.differences.contains("ruleset")) }, pending.count)
                }
                findings += checked
                awaiting += pending
            }
        } catch {
            // What earlier transactions fixed stays fixed: say so before failing.
            report(findings, checked: families.count - awaiting, awaiting: awaiting, ruleset: ruleset, complete: false)
            throw error
        }
        report(findings, checked: families.count - awaiting, awaiting: awaiting, ruleset: ruleset, complete: true)
        if findings.contains(where: { !$0.fixed }) { throw ExitCode.failure }
    }

    /// A family whose latest decision differs, and whether `--fix` corrected it.
    struct Finding: Sendable {
        var review: Screener.Review
        var fixed: Bool
    }

    /// - Parameter awaiting: the families left unchecked because screening
    ///   has not decided them since their last events.
    private func report(_ findings: [Finding], checked: Int, awaiting: Int, ruleset: Ruleset, complete: Bool) {
        let rows = findings.map { finding in
            let review = finding.review
            return [
                review.familyID.uuidString.lowercased(), Self.describe(review.latest), Self.describe(review.decision),
                review.differences.joined(separator: ", "),
            ] + (repair.fix ? [finding.fixed ? "yes" : "no: another ruleset"] : [])
        }
        let fixedCount = findings.filter(\.fixed).count
        let outcome = "\(findings.count) differ" + (repair.fix ? ", \(fixedCount) corrected (recorded by \(repair.by ?? ""))" : "")
        Report(header: ["family_id", "recorded", "recomputed", "differs_in"] + (repair.fix ? ["fixed"] : []), rows: rows).print(
            format,
            summary: (complete ? "\(checked) families checked" : "stopped by an error; before it")
                + " under \(ruleset.reference): \(outcome)"
                + (awaiting > 0 ? "; \(awaiting) awaiting screening's decision, not checked" : ""))
    }

    private static func describe(_ latest: EligibilityDecisionTable.Latest?) -> String {
        guard let latest else { return "none" }
        return outcome(latest.isEligible, latest.metCriteria) + " (revision \(latest.revision), as of \(latest.decidedOn))"
    }

    private static func describe(_ decision: EligibilityDecision) -> String {
        outcome(decision.isEligible, decision.metCriteria) + " (as of \(decision.decidedOn))"
    }

    private static func outcome(_ isEligible: Bool, _ criteria: [String]) -> String {
        (isEligible ? "eligible" : "not eligible") + ": " + (criteria.isEmpty ? "no criteria met" : criteria.joined(separator: ", "))
    }
}
