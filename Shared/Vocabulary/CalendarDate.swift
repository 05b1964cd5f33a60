/// A calendar date in Europe/London, with no time of day: the unit the
/// programme's rules count in. Stored as days since 1970-01-01.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// - Precondition: the fields name a real date (`month` 1–12, `day` within the month).
    public init(year: Int, month: Int, day: Int) {
        precondition((1...12).contains(month) && day >= 1 && day <= Self.daysIn(month: month, year: year))
        // Days from civil date (Howard Hinnant's algorithm).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        daysSinceEpoch = Int32(era * 146_097 + dayOfEra - 719_468)
    }

    /// Reads `YYYY-MM-DD`; nil when the text is not a real date in that form.
    /// Byte by byte, with no substrings: stored facts hold dates by the
    /// hundred thousand. A part may start with `+`, as `Int` reads it.
    public init?(iso text: String) {
        var text = text
        guard let date = text.withUTF8({ bytes -> CalendarDate? in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            func number(_ part: Range<Int>) -> Int? {
                let digits = bytes[part.lowerBound] == UInt8(ascii: "+") ? part.dropFirst() : part[...]
                guard !digits.isEmpty else { return nil }
                var value = 0
                for index in digits {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
                (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
            else { return nil }
            return CalendarDate(year: year, month: month, day: day)
        }) else { return nil }
        self = date
    }

    public var components: (year: Int, month: Int, day: Int) {
        let days = Int(daysSinceEpoch) + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The same day of the month `months` later (or earlier), clamped to the
    /// month's last day: 31 March minus one month is 28 or 29 February.
    public func adding(months: Int) -> CalendarDate {
        let (year, month, day) = components
        let total = year * 12 + (month - 1) + months
        let newYear = total >= 0 ? total / 12 : (total - 11) / 12
        let newMonth = total - newYear * 12 + 1
        return CalendarDate(year: newYear, month: newMonth, day: min(day, Self.daysIn(month: newMonth, year: newYear)))
    }

    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + Int32(days))
    }

    /// Whole days from `self` to `later`.
    public func days(until later: CalendarDate) -> Int {
        Int(later.daysSinceEpoch - daysSinceEpoch)
    }

    /// Age in whole years on `date` of someone born on `self`.
    public func age(on date: CalendarDate) -> Int {
        let birth = components
        let now = date.components
        let hadBirthday = (now.month, now.day) >= (birth.month, birth.day)
        return now.year - birth.year - (hadBirthday ? 0 : 1)
    }

    /// The UK financial year (1 April to 31 March) the date falls in, as `2012/13`.
    public var financialYear: String { ClaimWindow(containing: self).financialYear.description }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    public var description: String {
        let (year, month, day) = components
        guard (0...9999).contains(year) else { return "\(year)-\(month)-\(day)" }
        let zero = UInt8(ascii: "0")
        let dash = UInt8(ascii: "-")
        // Explanations quote many dates; this avoids string interpolation's cost.
        let utf8: [UInt8] = [
            zero + UInt8(year / 1000), zero + UInt8(year / 100 % 10), zero + UInt8(year / 10 % 10), zero + UInt8(year % 10),
            dash, zero + UInt8(month / 10), zero + UInt8(month % 10), dash, zero + UInt8(day / 10), zero + UInt8(day % 10),
        ]
        return String(decoding: utf8, as: UTF8.self)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            let isOfTheForm = text.utf8.count == 10
                && text.utf8.enumerated().allSatisfy { index, byte in index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (48...57).contains(byte) }
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: isOfTheForm ? "is not a real date (no such month, or no such day in its month)" : "is not a date of the form YYYY-MM-DD")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
