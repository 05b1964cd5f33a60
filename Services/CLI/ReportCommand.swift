import ArgumentParser
import Foundation
import Reports
import StageLogic
import Vocabulary

/// Finance's and the programme's reports.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Finance's claims report and the programme's progress table, for people, spreadsheets, programs or print.",
        discussion: """
            Each report is a table, CSV (safe to open in a spreadsheet), JSON, or one self-contained HTML page with charts \
            that fetches nothing and prints as it shows. --output writes it to a file and prints the file's path.
            """,
        subcommands: [Claims.self, Progress.self])

    struct Output: ParsableArguments {
        @Option(help: "table, csv, json or html.") var format: ReportFormat = .table
        @Option(help: "Write the report to this file (replaced if it exists) rather than to standard output.") var output: String?

        func write(_ report: some RenderableReport) throws {
            let text = try report.rendered(as: format)
            guard let output else { return print(text, terminator: "") }
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CommandFailure.environment("cannot write the report to \(output): \((error as NSError).localizedDescription)")
            }
            print("wrote \(output)")
        }
    }

    struct Claims: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The claims by window, payment and stage, in pounds, with totals checked against the database's.",
            discussion: """
                Stages are the claim's status, a rejection told apart: rejected-by-audit (internal audit) or \
                refused-by-department (after the claim was submitted). Exits 1 if the lines do not add up to the \
                database's own total.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "Only this claim window (\(ClaimWindow.form)).") var window: String?
        @Option(help: "Only this financial year (\(FinancialYear.form)).") var year: String?
        @OptionGroup var output: Output

        func validate() throws {
            if window != nil && year != nil { throw ValidationError("give --window or --year, not both") }
            try validateClaimWindow(window)
            if let year, FinancialYear(year) == nil { throw ValidationError("--year \"\(year)\" is not a financial year (\(FinancialYear.form))") }
        }

        func run() async throws {
            let scope: FinanceReports.Scope =
                if let window = window.flatMap(ClaimWindow.init) { .window(window) } else if let year = year.flatMap(FinancialYear.init) {
                    .financialYear(year)
                } else { .all }
            let report = try await common.withPool { pool in
                try await pool.withTransaction(.repeatableRead) { try FinanceReports.claims(scope, on: $0) }
            }
            try output.write(report)
            if !report.reconciles {
                FileHandle.standardError.write(Data((report.reconciliation + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Progress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The programme's progress table by quarter: identified, worked with, turned around, progress to work.",
            discussion: """
                Identified: families first found eligible in the quarter; worked with: attached in it; turned around: \
                the family's first result claimed (other than progress to work) falls in it; progress to work, counted \
                apart as the programme does. Claims rejected or refused are not counted. Counts the families and \
                claims of the ruleset given (--ruleset or RULESET).
                """)
        @OptionGroup var common: CommonOptions
        @OptionGroup var programme: ProgrammeOptions
        @Option(help: "The authority's name, as the report's title gives it.") var authority = "this authority"
        @Option(help: "The families the authority agreed to turn around: each quarter shows its share.") var target: Int?
        @OptionGroup var output: Output

        func validate() throws {
            if let target, target <= 0 { throw ValidationError("--target must be a number of families above 0") }
        }

        func run() async throws {
            let (ruleset, _) = try programme.resolve()
            let (authority, target) = (authority, target)
            let report = try await common.withPool { pool in
                try await pool.withTransaction(.repeatableRead) {
                    try FinanceReports.progress(authority: authority, ruleset: ruleset, target: target, on: $0)
                }
            }
            try output.write(report)
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
