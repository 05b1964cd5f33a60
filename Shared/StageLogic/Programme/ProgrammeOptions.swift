import ArgumentParser
import Foundation
import Rules
import Settings
import Vocabulary

/// The settings of the stages that apply the programme's rules: which
/// ruleset, and which day counts as today (``ServiceSettings/programme``).
public struct ProgrammeOptions: ParsableArguments {
    @Option(name: .customLong(S.ruleset.option!), help: ArgumentHelp(S.ruleset.help)) var ruleset: String?
    @Option(name: .customLong(S.asOfDate.option!), help: ArgumentHelp(S.asOfDate.help)) var asOf: String?

    private typealias S = ServiceSettings

    public init() {}

    /// The ruleset, checked, and the clock the stage reads today from.
    /// - Throws: ``InvalidRuleset`` naming the file and each field that is
    ///   wrong in a broken ruleset, or ``SettingError`` for a malformed date.
    public func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (Ruleset, @Sendable () -> CalendarDate) {
        let loaded = try Self.ruleset(named: try SettingsReader(environment: environment).value(S.ruleset, option: ruleset))
        guard let date = try fixedDate(environment: environment) else { return (loaded, { .today }) }
        return (loaded, { date })
    }

    /// A shipped ruleset by its name, or a ruleset file by its path, checked.
    /// - Throws: ``RulesetError`` naming the file and field of a broken ruleset.
    public static func ruleset(named name: String) throws -> Ruleset {
        Ruleset.bundledNames.contains(name) ? try Ruleset.bundled(name) : try Ruleset.load(from: URL(fileURLWithPath: name))
    }

    /// The date given with `--as-of` or `AS_OF_DATE`, if one was.
    /// - Throws: ``SettingError`` for a malformed date.
    public func fixedDate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SettingError) -> CalendarDate? {
        try SettingsReader(environment: environment).value(S.asOfDate, option: asOf)
    }
}
