import Foundation

extension CalendarDate {
    /// The programme's dates are English calendar dates.
    public static let programmeTimeZone = TimeZone(identifier: "Europe/London")!

    /// The calendar date `instant` falls on in `timeZone`.
    /// The zone's offset at that instant, then whole days: no calendar is
    /// built, so checking every line of a large file against today is cheap.
    public init(_ instant: Date, in timeZone: TimeZone = programmeTimeZone) {
        let local = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        self.init(daysSinceEpoch: Int32((local / 86_400).rounded(.down)))
    }

    public static var today: CalendarDate { CalendarDate(Date()) }
}
