import ArgumentParser
import Foundation
import Store

struct FamiliesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "families",
        abstract: "List the families screened, with their latest decision: for co-ordinators choosing whom to attach.")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Only the families found eligible.") var eligible = false
    @Flag(help: "Print only the family ids, one per line.") var idsOnly = false
    @Option(help: "table, csv or json.") var format: Report.Format = .table

    func run() async throws {
        let decisions = try await common.withPool { pool in
            try await pool.withConnection { try EligibilityDecisionTable.latestOfEveryFamily(on: $0) }
        }.filter { !eligible || $0.isEligible }
        if idsOnly {
            for decision in decisions { print(decision.familyID.uuidString.lowercased()) }
            return
        }
        Report(
            header: ["family_id", "decided_on", "outcome", "criteria_met"],
            rows: decisions.map { decision in
                [
                    decision.familyID.uuidString.lowercased(), decision.decidedOn, decision.isEligible ? "eligible" : "not eligible",
                    decision.metCriteria.isEmpty ? "-" : decision.metCriteria.joined(separator: ","),
                ]
            }
        ).print(format, summary: "\(decisions.count) famil\(decisions.count == 1 ? "y" : "ies")\(eligible ? " found eligible" : " screened")")
    }
}
