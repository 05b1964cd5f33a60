import ArgumentParser
import Foundation
import Postgres
import StageLogic
import Store
import Vocabulary

extension ClaimsCommand {
    /// Finance's allocation: the most families the authority may claim results for in a financial year.
    struct Allocation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the authority's allocation: the most families it may claim results for in a financial year.",
            discussion: """
                Under a ruleset that claims within the allocation (Supporting Families), the claims stage claims \
                results in a financial year for at most its allocation of families, counting them as their results \
                fall due (of those due together, the families attached first first), and none in a year with no \
                allocation set; the others are held back and wait until the allocation is raised or a later year's \
                has room. The database keeps each year within its allocation however many claims replicas run. \
                Attachment fees are not counted.
                """,
            subcommands: [Show.self, SetAllocation.self], defaultSubcommand: Show.self)

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Each financial year's allocation, the families counted against it, those left and those waiting.")
            @OptionGroup var common: CommonOptions
            @Option(help: "table, csv or json.") var format: Report.Format = .table

            func run() async throws {
                let years = try await common.withPool { pool in try await pool.withConnection { try AllocationTable.all(on: $0) } }
                let rows = years.map { year in
                    [
                        year.financialYear, year.families.map(String.init) ?? "", "\(year.claimed)",
                        year.families.map { String($0 - year.claimed) } ?? "", "\(year.waiting)", year.setBy ?? "", year.setAt.map(Instant.text) ?? "",
                    ]
                }
                let unset = years.filter { $0.families == nil }.map(\.financialYear)
                Report(
                    header: ["financial_year", "families", "claimed_for", "left", "waiting", "set_by", "set_at"], rows: rows,
                    kinds: ["families": .count, "claimed_for": .count, "left": .count, "waiting": .count]
                ).print(
                    format,
                    summary: years.isEmpty
                        ? "no allocation set"
                        : "\(years.count) financial year(s)"
                            + (unset.isEmpty ? "" : "; no allocation set for \(unset.joined(separator: ", ")): results due in it are held back"))
            }
        }

        struct SetAllocation: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Set a financial year's allocation; it can never be less than the families claimed for in the year already.")
            @OptionGroup var common: CommonOptions
            @OptionGroup var programme: ProgrammeOptions
            @Option(help: "The financial year of claiming, e.g. 2023/24.") var year: String
            @Option(help: "The most families whose results may be claimed for in the year.") var families: Int
            @Option(help: "Who sets it (your staff id), kept with every change.") var by: String

            func validate() throws {
                guard FinancialYear(year) != nil else { throw ValidationError("--year \"\(year)\" is not a financial year (2023/24)") }
                guard families >= 0 else { throw ValidationError("--families must be 0 or more") }
                try validateStaffID(by)
            }

            func run() async throws {
                let (ruleset, _) = try programme.resolve()
                let (year, families, by, rulesetID) = (year, families, by, ruleset.id)
                let reopened: Int
                do {
                    // Families waiting for room are measured again: the claims stage's next sweep claims those it now has room for.
                    reopened = try await common.inTransaction { connection in
                        try AllocationTable.set(year: year, families: families, by: by, countingClaimsUnder: rulesetID, on: connection)
                        let waiting = try AllocationTable.waiting(year: year, on: connection)
                        try ClaimsFamilyTable.markUnmeasured(Array(waiting), on: connection)
                        return waiting.count
                    }
                } catch let error as PostgresError where error.constraint == "claims_allocation_not_exceeded" {
                    throw CommandFailure.refused("\(year)'s allocation cannot be \(families): results were claimed for more families than that in \(year) already")
                }
                common.say(
                    "\(year): results may be claimed for at most \(families) families (set by \(by))"
                        + (reopened == 0 ? "" : "; \(reopened) families waiting are measured again at the claims stage's next sweep"))
                if ruleset.payments.withinAllocation != true {
                    common.say("note: \(ruleset.reference) claims results without an allocation: this one applies under a ruleset that claims within it")
                }
            }
        }
    }
}
