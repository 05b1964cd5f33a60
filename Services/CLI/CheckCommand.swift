import ArgumentParser

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the platform (Postgres and Kafka) and the stages' records (decisions, claims).",
        discussion: """
            `turnaround check` alone checks connectivity. `check decisions` and `check claims` recompute \
            what the evidence supports and report every family whose records differ (exit status 1 while any do).
            """,
        subcommands: [CheckConnectivityCommand.self, CheckDecisionsCommand.self, CheckClaimsCommand.self],
        defaultSubcommand: CheckConnectivityCommand.self)
}

extension CheckCommand {
    /// Families checked in one transaction, under their locks: few enough
    /// that a stage waiting for one of them waits briefly.
    static let familiesPerTransaction = 1_000

    /// The families, in the groups each checked in one transaction.
    static func transactions<ID: Sendable>(of families: [ID]) -> [[ID]] {
        stride(from: 0, to: families.count, by: familiesPerTransaction).map {
            Array(families[$0..<min($0 + familiesPerTransaction, families.count)])
        }
    }
}
