/// A school term, as the local authority's term calendar records it.
public struct SchoolTerm: Sendable, Hashable, Codable {
    /// The term's name, such as `2025-AU` (autumn), `2026-SP`, `2026-SU`.
    public var id: String
    public var start: CalendarDate
    public var end: CalendarDate

    public init(id: String, start: CalendarDate, end: CalendarDate) {
        self.id = id
        self.start = start
        self.end = end
    }
}
