import ArgumentParser
import Contracts
import Logging
import Pipeline
import Rules
import WorkerRuntime

/// turnaround-screening: keeps each family's evidence and decides, under the
/// configured ruleset, whether the family meets the programme's criteria.
@main
struct ScreeningService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ScreeningHandler.serviceName,
        abstract: "Eligibility screening: accepted referrals and evidence in, explained decisions out.",
        discussion: "Topics may be prefixed with env TOPIC_PREFIX; see the README for every other setting.")

    @OptionGroup var options: WorkerOptions
    @OptionGroup var programme: ProgrammeOptions

    func run() async throws {
        let registry = try Worker.bootstrapProcess(service: Self.configuration.commandName!)
        let topics = Topics.fromEnvironment()
        let resolved = try options.resolve(serviceName: topics.consumerGroup("screening"), topics: [topics.referralsAccepted, topics.evidenceRecorded])
        let logger = Logger(label: "turnaround.screening")
        let (ruleset, today) = try programme.resolve()
        logger.info("screening under \(ruleset.reference)", metadata: ["ruleset-hash": "\(ruleset.contentHash)"])
        try await Worker.run(
            ScreeningHandler(topics: topics, ruleset: ruleset, today: today), options: resolved, registry: registry, logger: logger)
    }
}
