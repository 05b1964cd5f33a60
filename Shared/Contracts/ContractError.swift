/// Why a message breaks its contract: each problem found, as the field (a
/// path from the message's root, `referral.members[1].dateOfBirth`) and what
/// is wrong with it. It never quotes a field's value, which may be personal data.
public struct ContractError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One field and what is wrong with it.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var field: String
        public var problem: String

        public init(field: String, problem: String) {
            self.field = field
            self.problem = problem
        }

        public var description: String { field.isEmpty ? problem : "\(field): \(problem)" }
    }

    /// Every problem found, in the order of the message's fields; never empty.
    public private(set) var problems: [Problem]

    public init(field: String, problem: String) {
        problems = [Problem(field: field, problem: problem)]
    }

    /// - Precondition: `problems` is not empty.
    init(problems: [Problem]) {
        precondition(!problems.isEmpty, "a contract error names at least one problem")
        self.problems = problems
    }

    /// The first problem's field.
    public var field: String { problems[0].field }
    /// The first problem.
    public var problem: String { problems[0].problem }

    /// Each problem with `prefix` taken off its field where the field starts with it.
    public func droppingFieldPrefix(_ prefix: String) -> ContractError {
        ContractError(problems: problems.map { problem in
            guard problem.field.hasPrefix(prefix) else { return problem }
            return Problem(field: String(problem.field.dropFirst(prefix.count)), problem: problem.problem)
        })
    }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

/// The problems of a message's fields, gathered field by field so that
/// one bad field does not hide the next.
struct Problems {
    private(set) var found: [ContractError.Problem] = []

    /// Runs one field's check, keeping what it finds.
    mutating func check(_ body: () throws(ContractError) -> Void) {
        do throws(ContractError) {
            try body()
        } catch {
            found += error.problems
        }
    }

    mutating func add(_ error: ContractError) { found += error.problems }

    /// - Throws: every problem found, if any.
    func throwIfAny() throws(ContractError) {
        if !found.isEmpty { throw ContractError(problems: found) }
    }
}
