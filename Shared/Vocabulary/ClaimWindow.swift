/// A quarterly claim window of the UK financial year: `2013/14 Q1` runs from
/// April to June 2013, `2013/14 Q4` from January to March 2014.
public struct ClaimWindow: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The calendar year the financial year starts in (2013 for `2013/14`).
    public let startYear: Int
    /// 1 to 4.
    public let quarter: Int

    public init(containing date: CalendarDate) {
        let (year, month, _) = date.components
        startYear = month >= 4 ? year : year - 1
        quarter = month >= 4 ? (month - 4) / 3 + 1 : 4
    }

    /// Reads `2013/14 Q1`; nil for anything else, such as `2013 Q1`,
    /// `2013-14 Q1` or `2013/15 Q1`.
    public init?(_ name: String) {
        guard let year = FinancialYear(String(name.prefix(7))), name.count == 10, name.dropFirst(7).hasPrefix(" Q"),
            let quarter = Int(name.suffix(1)), (1...4).contains(quarter)
        else { return nil }
        startYear = year.startYear
        self.quarter = quarter
    }

    public var financialYear: FinancialYear { FinancialYear(startYear: startYear) }

    /// The window after this one.
    public var next: ClaimWindow {
        quarter == 4 ? ClaimWindow(startYear: startYear + 1, quarter: 1) : ClaimWindow(startYear: startYear, quarter: quarter + 1)
    }

    public var description: String { "\(financialYear) Q\(quarter)" }

    public static func < (lhs: ClaimWindow, rhs: ClaimWindow) -> Bool {
        (lhs.startYear, lhs.quarter) < (rhs.startYear, rhs.quarter)
    }

    private init(startYear: Int, quarter: Int) {
        self.startYear = startYear
        self.quarter = quarter
    }

    /// What a claim window is written as, for a message that refuses one.
    public static let form = "YYYY/YY Qn, such as 2014/15 Q2"
}

/// A UK financial year, 1 April to 31 March: `2013/14`.
public struct FinancialYear: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let startYear: Int

    public init(startYear: Int) {
        self.startYear = startYear
    }

    /// Reads `2013/14`; nil for anything else, such as `2013`, `2013-14` or `2013/15`.
    public init?(_ name: String) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
            let start = Int(parts[0]), let end = Int(parts[1]), (start + 1) % 100 == end
        else { return nil }
        startYear = start
    }

    public var description: String {
        let end = (startYear + 1) % 100
        return "\(startYear)/\(end < 10 ? "0" : "")\(end)"
    }

    public static func < (lhs: FinancialYear, rhs: FinancialYear) -> Bool { lhs.startYear < rhs.startYear }

    /// What a financial year is written as, for a message that refuses one.
    public static let form = "YYYY/YY, such as 2014/15"
}
