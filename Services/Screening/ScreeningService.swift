import ArgumentParser
import StageLogic
import WorkerRuntime

/// turnaround-screening: keeps each family's evidence and decides, under the
/// configured ruleset, whether the family meets the programme's criteria.
@main
struct ScreeningService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ScreeningHandler.serviceName,
        abstract: "Eligibility screening: accepted referrals and evidence in, explained decisions out.",
        discussion: WorkerOptions.environmentHelp)

    @OptionGroup var options: WorkerOptions
    @OptionGroup var programme: ProgrammeOptions
    @OptionGroup var screening: ScreeningOptions

    func run() async throws {
        try await Worker.main(executable: Self.configuration.commandName!, options: options) { topics, logger in
            let (ruleset, today) = try programme.resolve()
            let windows = try screening.resolve()
            logger.info("screening under a ruleset", metadata: ["ruleset": "\(ruleset.reference)", "ruleset-hash": "\(ruleset.contentHash)"])
            return ScreeningHandler(topics: topics, ruleset: ruleset, today: today, windows: windows)
        }
    }
}
