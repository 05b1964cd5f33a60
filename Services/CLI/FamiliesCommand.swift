import ArgumentParser
import Foundation
import Store
import Vocabulary

struct FamiliesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "families",
        abstract: "List the families screened, with their latest decision: for co-ordinators choosing whom to attach.",
        discussion: "By family id; --limit and --offset page through a long list.")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Only the families found eligible.") var eligible = false
    @Flag(help: "Only the families with an open item on the review queue (`turnaround review list`).") var needsReview = false
    @Option(help: "Only the families decided on or after this day (YYYY-MM-DD).") var since: String?
    @Option(help: "At most this many families.") var limit: Int?
    @Option(help: "Leave out this many families first (with --limit, to page).") var offset = 0
    @Flag(help: "Print only the family ids, one per line.") var idsOnly = false
    @Option(help: "table, csv or json.") var format: Report.Format = .table

    func validate() throws {
        if let since, CalendarDate(iso: since) == nil { throw ValidationError("--since \"\(since)\" is not a real date of the form YYYY-MM-DD") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if offset < 0 { throw ValidationError("--offset must be 0 or more") }
    }

    func run() async throws {
        let (decided, merged, review) = try await common.withPool { pool in
            try await pool.withConnection {
                (
                    try EligibilityDecisionTable.latestOfEveryFamily(eligibleOnly: eligible, since: since, on: $0),
                    try MergedFamilyTable.screening.all(on: $0),
                    try ReviewItemTable.openItems(on: $0)
                )
            }
        }
        // A family merged into another is one no more: the family kept stands for it.
        let decisions = decided.filter { merged[$0.familyID] == nil }
        let notes = review.mapValues { $0.map { "item \($0.itemID): \($0.reason)" }.joined(separator: "; ") }
        let matching = decisions.filter { !needsReview || notes[$0.familyID] != nil }
        let page = Array(matching.dropFirst(offset).prefix(limit ?? matching.count))
        if idsOnly {
            for decision in page { print(decision.familyID.uuidString.lowercased()) }
            return
        }
        var what = [eligible ? "found eligible" : "screened"]
        if needsReview { what.append("marked for review") }
        if let since { what.append("decided since \(since)") }
        let noun = "famil\(matching.count == 1 ? "y" : "ies") " + what.joined(separator: ", ")
        let summary =
            page.count == matching.count
            ? "\(matching.count) \(noun)" : "families \(offset + 1) to \(offset + page.count) of \(matching.count) \(noun)"
        Report(
            header: ["family_id", "decided_on", "outcome", "criteria_met", "review"],
            rows: page.map { decision in
                [
                    decision.familyID.uuidString.lowercased(), decision.decidedOn, decision.isEligible ? "eligible" : "not eligible",
                    decision.metCriteria.isEmpty ? "-" : decision.metCriteria.joined(separator: ","),
                    notes[decision.familyID] ?? "-",
                ]
            }
        ).print(format, summary: page.isEmpty && offset > 0 ? "no families past \(offset) of \(matching.count) \(noun)" : summary)
    }
}
