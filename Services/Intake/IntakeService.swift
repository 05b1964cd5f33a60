import ArgumentParser
import Contracts
import Logging
import WorkerRuntime

/// turnaround-intake: checks agencies' signed referrals and evidence, matches
/// them to families, keeps the personal data, and sends on pseudonymous events.
@main
struct IntakeService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnaround-intake",
        abstract: "Referral intake: signed referrals and evidence in, matched pseudonymous families out.",
        discussion: "Topics may be prefixed with env TOPIC_PREFIX; see the README for every other setting.")

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        let registry = try Worker.bootstrapProcess(service: Self.configuration.commandName!)
        let topics = Topics.fromEnvironment()
        let resolved = try options.resolve(serviceName: topics.consumerGroup("intake"), topics: [topics.referralsSubmitted, topics.evidenceSubmitted])
        let logger = Logger(label: "turnaround.intake")
        try await Worker.run(IntakeHandler(topics: topics, logger: logger), options: resolved, registry: registry, logger: logger)
    }
}
