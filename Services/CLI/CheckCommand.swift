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
