import ArgumentParser

@main
struct Turnaround: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnaround",
        abstract: "Turnaround: referrals, eligibility and results claims for the family-support programme.",
        discussion: """
            Connection settings come from the environment: DATABASE_URL for PostgreSQL and \
            KAFKA_BROKERS (plus any KAFKA_PROP_<NAME> librdkafka property) for Kafka; \
            TOPIC_PREFIX prefixes every topic.
            """,
        subcommands: [
            MigrateCommand.self, CheckCommand.self, AgencyCommand.self, SubmitCommand.self, AttachCommand.self,
            FamiliesCommand.self, ExplainCommand.self, ClaimsCommand.self, AuditCommand.self, ReportCommand.self, DeadLetterCommand.self,
        ])
}
