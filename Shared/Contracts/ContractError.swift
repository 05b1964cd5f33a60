/// Why a message breaks its contract: the field, as a path from the
/// message's root (`referral.members[1].dateOfBirth`), and what is wrong with
/// it. It never quotes the field's value, which may be personal data.
public struct ContractError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
}
