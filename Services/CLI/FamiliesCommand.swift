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

    func run() async throws {
        let logger = common.makeLogger()
        let pool = try await common.migratedPool(logger: logger)
        defer { pool.close() }
        let decisions = try await pool.withConnection { try EligibilityDecisionTable.latestOfEveryFamily(on: $0) }
            .filter { !eligible || $0.isEligible }
        for decision in decisions {
            if idsOnly {
                print(decision.familyID.uuidString.lowercased())
            } else {
                let met = decision.metCriteria.isEmpty ? "-" : decision.metCriteria.joined(separator: ",")
                print("\(decision.familyID.uuidString.lowercased())\t\(decision.decidedOn)\t\(decision.isEligible ? "eligible" : "not eligible")\t\(met)")
            }
        }
    }
}
