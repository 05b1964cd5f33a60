import ArgumentParser
import Foundation
import Reports
import Rules
import Settings
import StageLogic
import Vocabulary

struct WhatIfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "what-if",
        abstract: "Decide every family screening holds under a ruleset you are considering and the current one, and report the families that would move.",
        discussion: """
            Reads screening's families and evidence as they stand (one consistent snapshot) and records \
            nothing. Reports how many families would become eligible or stop being, the criteria met \
            only under one ruleset or the other, and each family moved with its explanation under both. \
            --against defaults to RULESET, the ruleset screening runs; --as-of to AS_OF_DATE, or today.
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "The ruleset to try: a shipped one (phase1-2012, phase2-2015, supporting-families-2022) or a ruleset file.") var ruleset: String
    @Option(help: "The ruleset to compare with (default: RULESET).") var against: String?
    @Option(help: "Decide as of this day (YYYY-MM-DD; default: AS_OF_DATE, or today).") var asOf: String?
    @OptionGroup var output: ReportCommand.Output

    func run() async throws {
        let settings = SettingsReader(environment: ProcessInfo.processInfo.environment)
        let proposed = try ProgrammeOptions.ruleset(named: ruleset)
        let current = try ProgrammeOptions.ruleset(named: try settings.value(ServiceSettings.ruleset, option: against))
        let day = try settings.value(ServiceSettings.asOfDate, option: asOf) ?? .today
        let comparison = RulesetComparison(proposed: proposed, current: current, asOf: day)
        let (tally, differences) = try await common.withPool { pool in try await comparison.compareEveryFamily(on: pool) }
        try output.write(Self.report(comparison, tally: tally, differences: differences))
    }

    static func report(_ comparison: RulesetComparison, tally: RulesetComparison.Tally, differences: [RulesetComparison.Difference]) -> WhatIfReport {
        // Criteria by name, in the proposed ruleset's order and then the current one's.
        var names: [(id: String, name: String)] = []
        for criterion in comparison.proposed.criteria + comparison.current.criteria where !names.contains(where: { $0.id == criterion.id }) {
            names.append((criterion.id, criterion.name))
        }
        func decision(_ decision: EligibilityDecision) -> WhatIfReport.Decision {
            WhatIfReport.Decision(
                isEligible: decision.isEligible, criteriaMet: decision.criteria.filter(\.isMet).map(\.name), summary: decision.summary,
                criteria: decision.criteria.map { (name: $0.name, isMet: $0.isMet, findings: $0.findings.map(\.text)) })
        }
        return WhatIfReport(
            proposed: comparison.proposed.reference, current: comparison.current.reference, asOf: comparison.asOf.description,
            families: tally.families, nowEligible: tally.nowEligible, noLongerEligible: tally.noLongerEligible,
            criteriaChanged: tally.criteriaChanged,
            byCriterion: names.compactMap { criterion in
                let (gained, lost) = (tally.gained[criterion.id] ?? 0, tally.lost[criterion.id] ?? 0)
                return gained + lost == 0 ? nil : (criterion: criterion.name, gained: gained, lost: lost)
            },
            differences: differences.map { WhatIfReport.Family(familyID: $0.familyID.uuidString.lowercased(), current: decision($0.current), proposed: decision($0.proposed)) })
    }
}
