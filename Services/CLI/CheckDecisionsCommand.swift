import ArgumentParser
import Contracts
import Foundation
import Pipeline
import Rules
import Postgres
import Store

struct CheckDecisionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decisions",
        abstract: "Recompute every family's eligibility from the evidence screening holds and report each latest decision that differs.",
        discussion: """
            Decides as screening does (--ruleset / RULESET, --as-of / AS_OF_DATE: give the same as the \
            screening service), holding each family's screening lock, so a family being decided is \
            never reported half-way. Exits 1 while any family's latest decision differs. With --fix, \
            records the recomputed decision as the family's next one (under --by) and sends it on to \
            the claims stage, as screening would.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var programme: ProgrammeOptions
    @Option(help: "table, csv or json.") var format: Report.Format = .table
    @Flag(help: "Record the recomputed decisions of the families that differ.") var fix = false
    @Option(help: "Who fixes (your staff id), recorded with each corrected decision; required with --fix.") var by: String?

    static let familiesPerTransaction = 1_000

    func validate() throws {
        if fix, (by ?? "").isEmpty { throw ValidationError("--fix needs --by USER: corrected decisions record who made them") }
    }

    func run() async throws {
        let logger = common.makeLogger()
        let (ruleset, today) = try programme.resolve()
        let screener = Screener(ruleset: ruleset, asOf: today())
        let topic = Topics.fromEnvironment().eligibilityDecided
        let pool = try await common.migratedPool(logger: logger)
        defer { pool.close() }

        let families = try await pool.withConnection { try ScreeningFamilyTable.allFamilyIDs(on: $0) }
        let fixedBy = fix ? by : nil
        var drifted: [Screener.Review] = []
        for start in stride(from: 0, to: families.count, by: Self.familiesPerTransaction) {
            let chunk = Array(families[start..<min(start + Self.familiesPerTransaction, families.count)])
            drifted += try await pool.withTransaction { connection in
                try AdvisoryLocks.screeningFamilies.lock(chunk.map(\.uuidString), on: connection)
                let differing = try screener.review(chunk, on: connection).filter(\.differsFromLatest)
                if let fixedBy {
                    let decided = try screener.record(differing, decidedBy: fixedBy, on: connection)
                    try OutboxTable.append(
                        decided.map { OutboxEvent(topic: topic, key: Array($0.partitionKey.utf8), payload: $0.encoded()) }, on: connection)
                }
                return differing
            }
        }

        let rows = drifted.map { review in
            [review.familyID.uuidString.lowercased(), Self.describe(review.latest), Self.describe(review.decision), Self.differences(review)]
        }
        let outcome = fix ? "\(drifted.count) corrected (recorded by \(by ?? ""))" : "\(drifted.count) differ"
        Report(header: ["family_id", "recorded", "recomputed", "differs_in"], rows: rows)
            .print(format, summary: "\(families.count) families checked under \(ruleset.reference) as of \(screener.asOf): \(outcome)")
        if !drifted.isEmpty, !fix { throw ExitCode.failure }
    }

    private static func describe(_ latest: EligibilityDecisionTable.Latest?) -> String {
        guard let latest else { return "none" }
        return outcome(latest.isEligible, latest.metCriteria) + " (revision \(latest.revision))"
    }

    private static func describe(_ decision: EligibilityDecision) -> String {
        outcome(decision.isEligible, decision.metCriteria)
    }

    private static func outcome(_ isEligible: Bool, _ criteria: [String]) -> String {
        (isEligible ? "eligible" : "not eligible") + ": " + (criteria.isEmpty ? "no criteria met" : criteria.joined(separator: ", "))
    }

    private static func differences(_ review: Screener.Review) -> String {
        guard let latest = review.latest else { return "never decided" }
        var differences: [String] = []
        if latest.isEligible != review.decision.isEligible { differences.append("outcome") }
        if latest.metCriteria != review.decision.metCriteria { differences.append("criteria") }
        if latest.rulesetHash != review.decision.rulesetHash { differences.append("ruleset") }
        return differences.joined(separator: ", ")
    }
}
