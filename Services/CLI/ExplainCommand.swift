import ArgumentParser
import Foundation
import Rules
import Store

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show the latest eligibility decision about a family and the evidence behind each criterion.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The family's id.") var familyID: String

    func run() async throws {
        let logger = common.makeLogger()
        guard let family = UUID(uuidString: familyID) else { throw ValidationError("\(familyID) is not a family id") }
        let pool = try await common.pool(logger: logger)
        defer { pool.close() }
        let latest = try await pool.withConnection { connection -> (EligibilityDecision, Ruleset?)? in
            guard let decision = try EligibilityDecisionTable.latestDecision(of: family, as: EligibilityDecision.self, on: connection) else {
                return nil
            }
            let ruleset = try KnownRulesets.named(
                id: decision.rulesetID, version: decision.rulesetVersion, contentHash: decision.rulesetHash, on: connection)
            return (decision, ruleset)
        }
        guard let (decision, ruleset) = latest else {
            print("no decision about family \(familyID) yet")
            throw ExitCode.failure
        }
        print("Family \(familyID), decided on \(decision.decidedOn) under \(decision.rulesetID) v\(decision.rulesetVersion)")
        print(decision.summary)
        // Where each criterion comes from, as the ruleset the decision was made under says.
        let sources = Dictionary(
            (ruleset?.criteria ?? []).compactMap { criterion in criterion.source.map { (criterion.id, $0) } }) { first, _ in first }
        for criterion in decision.criteria {
            print("\n\(criterion.isMet ? "[met]    " : "[not met]") \(criterion.name)")
            if let source = sources[criterion.id] { print("  source: \(source)") }
            for finding in criterion.findings { print("  - \(finding.text)") }
        }
    }
}
