import ArgumentParser
import Foundation
import Settings
import Store

/// When screening decides a family: once its events have stopped coming
/// (``ServiceSettings/screening``).
struct ScreeningOptions: ParsableArguments {
    @Option(name: .customLong(S.screeningSettle.option!), help: ArgumentHelp(S.screeningSettle.help)) var settleMs: String?
    @Option(name: .customLong(S.screeningEvidenceWait.option!), help: ArgumentHelp(S.screeningEvidenceWait.help)) var evidenceWaitS: String?
    @Option(name: .customLong(S.screeningLongestWait.option!), help: ArgumentHelp(S.screeningLongestWait.help)) var longestWaitS: String?

    private typealias S = ServiceSettings

    /// - Throws: ``SettingError`` naming the variable or option that is malformed.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SettingError) -> ScreeningPendingTable.Windows {
        let settings = SettingsReader(environment: environment)
        return ScreeningPendingTable.Windows(
            settle: .milliseconds(try settings.value(S.screeningSettle, option: settleMs)),
            awaitingEvidence: .seconds(try settings.value(S.screeningEvidenceWait, option: evidenceWaitS)),
            longestWait: .seconds(try settings.value(S.screeningLongestWait, option: longestWaitS)))
    }
}
