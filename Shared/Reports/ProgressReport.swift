import Foundation
import Vocabulary

/// The programme's own progress table for an authority, by quarter: families
/// identified (found eligible), worked with (attached), turned around (a
/// result claimed that the programme counts so) and those whose adults made
/// progress to work, counted apart because it is not "turned around".
public struct ProgressReport: Sendable, Equatable {
    /// Families counted.
    public struct Counts: Sendable, Equatable {
        public var identified = 0
        public var workedWith = 0
        public var turnedAround = 0
        public var progressToWork = 0

        public init(identified: Int = 0, workedWith: Int = 0, turnedAround: Int = 0, progressToWork: Int = 0) {
            self.identified = identified
            self.workedWith = workedWith
            self.turnedAround = turnedAround
            self.progressToWork = progressToWork
        }

        public static func + (lhs: Counts, rhs: Counts) -> Counts {
            Counts(
                identified: lhs.identified + rhs.identified, workedWith: lhs.workedWith + rhs.workedWith,
                turnedAround: lhs.turnedAround + rhs.turnedAround, progressToWork: lhs.progressToWork + rhs.progressToWork)
        }
    }

    /// Families first counted in a quarter.
    public struct Quarter: Sendable, Equatable {
        public var window: ClaimWindow
        public var counts: Counts

        public init(window: ClaimWindow, counts: Counts) {
            self.window = window
            self.counts = counts
        }
    }

    /// Whom the report is about, as the command was told.
    public let authority: String
    /// The ruleset whose families and results are counted, with its results in words.
    public let ruleset: String
    /// The families the authority agreed to turn around, if given.
    public let target: Int?
    /// Every quarter from the first counted to the last, none left out.
    public let quarters: [Quarter]

    /// - Parameter counts: families first counted in each quarter; quarters
    ///   between them with nothing counted are filled in.
    public init(authority: String, ruleset: String, target: Int?, counts: [ClaimWindow: Counts]) {
        self.authority = authority
        self.ruleset = ruleset
        self.target = target
        var quarters: [Quarter] = []
        if var window = counts.keys.min(), let last = counts.keys.max() {
            while window <= last {
                quarters.append(Quarter(window: window, counts: counts[window] ?? Counts()))
                window = window.next
            }
        }
        self.quarters = quarters
    }

    /// Each quarter's counts to date.
    public var cumulative: [Counts] {
        var sum = Counts()
        return quarters.map { quarter in
            sum = sum + quarter.counts
            return sum
        }
    }

    /// All quarters' counts.
    public var total: Counts { cumulative.last ?? Counts() }

    /// `62%` of the target, or nil without one.
    public func shareOfTarget(_ count: Int) -> String? {
        guard let target, target > 0 else { return nil }
        return "\(Int((Double(count) * 100 / Double(target)).rounded()))%"
    }

    private var header: [String] {
        ["quarter", "identified", "worked_with", "turned_around", "progress_to_work", "identified_to_date", "worked_with_to_date",
         "turned_around_to_date"] + (target == nil ? [] : ["turned_around_of_target"])
    }

    private var rows: [[String]] {
        zip(quarters, cumulative).map { quarter, toDate in
            let counts = quarter.counts
            return [
                quarter.window.description, "\(counts.identified)", "\(counts.workedWith)", "\(counts.turnedAround)",
                "\(counts.progressToWork)", "\(toDate.identified)", "\(toDate.workedWith)", "\(toDate.turnedAround)",
            ] + (shareOfTarget(toDate.turnedAround).map { [$0] } ?? [])
        }
    }

    // MARK: Renderings

    public var table: String {
        var table = TextTable(
            header: header.map { $0.replacing("_", with: " ") }, alignments: [.left] + Array(repeating: .right, count: header.count - 1))
        for row in rows { table.append(row) }
        let total = total
        table.append(
            ["total", "\(total.identified)", "\(total.workedWith)", "\(total.turnedAround)", "\(total.progressToWork)", "", "", ""]
                + (target == nil ? [] : [shareOfTarget(total.turnedAround)!]))
        return "Progress, \(authority), \(ruleset)" + (target.map { ", target \($0) families" } ?? "") + "\n\n" + table.text
    }

    public var csv: String {
        CSV.document(header: ["authority"] + header, rows: rows.map { [authority] + $0 })
    }

    public func json() throws -> String {
        struct Row: Encodable {
            let quarter: String
            let identified, workedWith, turnedAround, progressToWork: Int
            let identifiedToDate, workedWithToDate, turnedAroundToDate: Int
        }
        struct Document: Encodable {
            let authority: String
            let ruleset: String
            let target: Int?
            let quarters: [Row]
            let total: [String: Int]
        }
        let total = total
        let document = Document(
            authority: authority, ruleset: ruleset, target: target,
            quarters: zip(quarters, cumulative).map { quarter, toDate in
                Row(
                    quarter: quarter.window.description, identified: quarter.counts.identified, workedWith: quarter.counts.workedWith,
                    turnedAround: quarter.counts.turnedAround, progressToWork: quarter.counts.progressToWork, identifiedToDate: toDate.identified,
                    workedWithToDate: toDate.workedWith, turnedAroundToDate: toDate.turnedAround)
            },
            total: [
                "identified": total.identified, "worked_with": total.workedWith, "turned_around": total.turnedAround,
                "progress_to_work": total.progressToWork,
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
