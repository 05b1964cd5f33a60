import ArgumentParser
import Foundation
import Rules
import Vocabulary

/// The settings of the stages that apply the programme's rules: which
/// ruleset, and which day counts as today.
public struct ProgrammeOptions: ParsableArguments {
    @Option(help: "The ruleset: a shipped one (phase1-2012, phase2-2015, supporting-families-2022) or a JSON file's path. Env RULESET; default phase1-2012.")
    var ruleset: String?

    @Option(help: "Decide and measure as of this date (YYYY-MM-DD) instead of today: for replays and back-dated programmes. Env AS_OF_DATE.")
    var asOf: String?

    public init() {}

    /// The ruleset, checked, and the clock the stage reads today from.
    /// - Throws: ``RulesetError`` naming the file and field of a broken
    ///   ruleset, or ``ProgrammeOptionsError`` for a malformed date.
    public func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (Ruleset, @Sendable () -> CalendarDate) {
        let name = ruleset ?? environment["RULESET"] ?? "phase1-2012"
        let loaded = Ruleset.bundledNames.contains(name) ? try Ruleset.bundled(name) : try Ruleset.load(from: URL(fileURLWithPath: name))
        guard let date = try fixedDate(environment: environment) else { return (loaded, { .today }) }
        return (loaded, { date })
    }

    /// The date given with `--as-of` or `AS_OF_DATE`, if one was.
    /// - Throws: ``ProgrammeOptionsError`` for a malformed date.
    public func fixedDate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CalendarDate? {
        guard let fixed = asOf ?? environment["AS_OF_DATE"] else { return nil }
        guard let date = CalendarDate(iso: fixed) else { throw ProgrammeOptionsError(setting: "AS_OF_DATE (--as-of)") }
        return date
    }
}

public struct ProgrammeOptionsError: Error, CustomStringConvertible, Sendable {
    public var setting: String
    public var description: String { "\(setting) must be a date of the form YYYY-MM-DD" }
}
