import ArgumentParser
import Foundation
import Postgres
import Store
import Vocabulary

extension ClaimsCommand {
    /// Finance's allocation: the most families the authority may claim results for in a financial year.
    struct Allocation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the authority's allocation: the most families it may claim results for in a financial year.",
            discussion: """
                Under a ruleset that claims within the allocation (Supporting Families), the claims stage claims \
                results in a financial year for at most its allocation of families, the families attached first \
                first, and none in a year with no allocation set; the others are held back and wait. The database \
                keeps each year within its allocation however many claims replicas run. Attachment fees are not counted.
                """,
            subcommands: [Show.self, Set.self], defaultSubcommand: Show.self)

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Each financial year's allocation, the families counted against it, those left and those waiting.")
            @OptionGroup var common: CommonOptions
            @Option(help: "table, csv or json.") var format: Report.Format = .table

            func run() async throws {
                let years = try await common.withPool { pool in try await pool.withConnection { try AllocationTable.all(on: $0) } }
                let rows = years.map { year in
                    [
                        year.financialYear, "\(year.families)", "\(year.claimed)", "\(year.families - year.claimed)", "\(year.waiting)",
                        year.setBy, Instant.text(year.setAt),
                    ]
                }
                Report(
                    header: ["financial_year", "families", "claimed_for", "left", "waiting", "set_by", "set_at"], rows: rows,
                    kinds: ["families": .count, "claimed_for": .count, "left": .count, "waiting": .count]
                ).print(format, summary: years.isEmpty ? "no allocation set" : "\(years.count) financial year(s)")
            }
        }

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set a financial year's allocation; it can never be less than the families claimed for in the year already.")
            @OptionGroup var common: CommonOptions
            @Option(help: "The financial year of claiming, e.g. 2023/24.") var year: String
            @Option(help: "The most families whose results may be claimed for in the year.") var families: Int
            @Option(help: "Who sets it (your staff id), kept with every change.") var by: String

            func validate() throws {
                guard FinancialYear(year) != nil else { throw ValidationError("--year \"\(year)\" is not a financial year (2023/24)") }
                guard families >= 0 else { throw ValidationError("--families must be 0 or more") }
                if by.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--by must not be empty") }
            }

            func run() async throws {
                let (year, families, by) = (year, families, by)
                do {
                    try await common.inTransaction { try AllocationTable.set(year: year, families: families, by: by, on: $0) }
                } catch let error as PostgresError where error.constraint == "claims_allocation_not_exceeded" {
                    let claimed = try await common.withPool { pool in
                        try await pool.withConnection { try AllocationTable.all(on: $0) }
                    }.first { $0.financialYear == year }?.claimed
                    throw CommandFailure.refused(
                        "\(year)'s allocation cannot be \(families): results were claimed for \(claimed.map(String.init) ?? "more") families in \(year) already")
                }
                common.say("\(year): results may be claimed for at most \(families) families (set by \(by))")
            }
        }
    }
}
