/// One member of a family as the stages after intake know them: a
/// pseudonymous id and a date of birth, nothing more.
public struct FamilyMember: Sendable, Hashable, Codable {
    /// A pseudonymous id, unique within the family ("C2", "A1").
    public var id: String
    public var dateOfBirth: CalendarDate

    public init(id: String, dateOfBirth: CalendarDate) {
        self.id = id
        self.dateOfBirth = dateOfBirth
    }
}
