import ArgumentParser

/// `--fix --by USER`: a check that repairs what it finds, in someone's name.
struct RepairOptions: ParsableArguments {
    @Flag(help: "Repair what the check finds (see above).") var fix = false
    @Option(help: "Who repairs (your staff id), recorded with every repair; required with --fix.") var by: String?

    func validate() throws {
        if fix, (by ?? "").isEmpty { throw ValidationError("--fix needs --by USER: every repair records who made it") }
        if !fix, by != nil { throw ValidationError("--by names who repairs: give it with --fix") }
    }

    /// Who repairs, when the check is to repair.
    var repairer: String? { fix ? by : nil }
}
