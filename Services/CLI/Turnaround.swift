import ArgumentParser
import Rules
import Settings

@main
struct Turnaround: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnaround",
        abstract: "Turnaround: referrals, eligibility and results claims for the family-support programme.",
        discussion: """
            Connection settings come from the environment: DATABASE_URL for PostgreSQL and \
            KAFKA_BROKERS (plus any KAFKA_PROP_<NAME> librdkafka property) for Kafka; \
            TOPIC_PREFIX prefixes every topic. Only `turnaround migrate` changes the database's schema.

            Exit status: 0 done; 1 refused (the input, or what the command found, does not allow it); \
            2 the environment or a server stands in the way (a setting missing, a server unreachable, \
            a schema to migrate); 64 a usage mistake.
            """,
        version: version,
        subcommands: [
            MigrateCommand.self, CheckCommand.self, AgencyCommand.self, SubmitCommand.self, ReceiptsCommand.self, AttachCommand.self, CloseCommand.self,
            FamiliesCommand.self, ReviewCommand.self, ExplainCommand.self, RescreenCommand.self, WhatIfCommand.self, RulesetsCommand.self,
            ClaimsCommand.self, AuditCommand.self, ReportCommand.self, DeadLetterCommand.self,
        ])

    /// The build (`TURNAROUND_VERSION`, which the image sets) and the shipped rulesets, each by id, version and content hash.
    static var version: String {
        let build = (try? SettingsReader().value(ServiceSettings.version)) ?? "unknown"
        let rulesets = Ruleset.bundledNames.map { name in (try? Ruleset.bundled(name).reference) ?? "\(name) (unreadable)" }
        return "turnaround \(build)\nrulesets: \(rulesets.joined(separator: ", "))"
    }
}
