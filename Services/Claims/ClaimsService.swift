import ArgumentParser
import Settings
import StageLogic
import WorkerRuntime

/// turnaround-claims: measures attached families' results against their
/// baseline and claims the payments they earn, once each.
@main
struct ClaimsService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ClaimsHandler.serviceName,
        abstract: "Outcome claims: decisions, attachments and evidence in, results payments claimed.",
        discussion: WorkerOptions.environmentHelp)

    @OptionGroup var options: WorkerOptions
    @OptionGroup var programme: ProgrammeOptions
    @Option(name: .customLong(S.claimsSweepInterval.option!), help: ArgumentHelp(S.claimsSweepInterval.help)) var sweepIntervalS: String?

    private typealias S = ServiceSettings

    func run() async throws {
        try await Worker.main(executable: Self.configuration.commandName!, options: options) { topics, logger in
            let (ruleset, today) = try programme.resolve()
            logger.info("claiming under a ruleset", metadata: ["ruleset": "\(ruleset.reference)", "ruleset-hash": "\(ruleset.contentHash)"])
            let sweepInterval = try SettingsReader().value(S.claimsSweepInterval, option: sweepIntervalS)
            return ClaimsHandler(topics: topics, ruleset: ruleset, today: today, sweepInterval: .seconds(sweepInterval))
        }
    }
}
