import ArgumentParser
import WorkerRuntime

/// turnaround-intake: checks agencies' signed referrals and evidence, matches
/// them to families, keeps the personal data, and sends on pseudonymous events.
@main
struct IntakeService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "turnaround-intake",
        abstract: "Referral intake: signed referrals and evidence in, matched pseudonymous families out.",
        discussion: WorkerOptions.environmentHelp)

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await Worker.main(executable: Self.configuration.commandName!, options: options) { topics, _ in
            IntakeHandler(topics: topics)
        }
    }
}
