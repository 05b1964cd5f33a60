import ArgumentParser
import Contracts
import Logging
import Pipeline
import Rules
import WorkerRuntime

/// turnaround-claims: measures attached families' results against their
/// baseline and claims the payments they earn, once each.
@main
struct ClaimsService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ClaimsHandler.serviceName,
        abstract: "Outcome claims: decisions, attachments and evidence in, results payments claimed.",
        discussion: "Topics may be prefixed with env TOPIC_PREFIX; see the README for every other setting.")

    @OptionGroup var options: WorkerOptions
    @OptionGroup var programme: ProgrammeOptions

    func run() async throws {
        let registry = try Worker.bootstrapProcess(service: Self.configuration.commandName!)
        let topics = Topics.fromEnvironment()
        let resolved = try options.resolve(
            serviceName: topics.consumerGroup("claims"), topics: [topics.eligibilityDecided, topics.familiesAttached, topics.evidenceRecorded])
        let logger = Logger(label: "turnaround.claims")
        let (ruleset, today) = try programme.resolve()
        logger.info("claiming under \(ruleset.reference)", metadata: ["ruleset-hash": "\(ruleset.contentHash)"])
        try await Worker.run(
            ClaimsHandler(topics: topics, ruleset: ruleset, today: today), options: resolved, registry: registry, logger: logger)
    }
}
