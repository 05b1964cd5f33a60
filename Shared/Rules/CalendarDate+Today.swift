import Foundation

extension CalendarDate {
    /// The programme's dates are English calendar dates.
    public static let programmeTimeZone = TimeZone(identifier: "Europe/London")!

    /// The calendar date `instant` falls on in `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone = programmeTimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    public static var today: CalendarDate { CalendarDate(Date()) }
}
