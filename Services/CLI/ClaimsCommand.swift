import ArgumentParser
import Foundation
import Rules
import StageLogic
import Store

struct ClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "List the results payments claimed, by claim window, as a table or CSV.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Only this claim window, e.g. '2013/14 Q2'.") var window: String?
    @Option(help: "table, csv or json.") var format: Report.Format = .table

    func run() async throws {
        let logger = common.makeLogger()
        let pool = try await common.migratedPool(logger: logger)
        defer { pool.close() }
        let claims = try await pool.withConnection { try ResultClaimTable.all(window: window, explanation: ClaimExplanation.self, on: $0) }
        let header = ["claim_window", "family_id", "payment", "amount", "financial_year", "ruleset", "status"]
        let rows = claims.map { claim in
            [claim.claimWindow, claim.familyID.uuidString.lowercased(), claim.payment, Money(pence: claim.amountPence).description,
             claim.financialYear, "\(claim.rulesetID) v\(claim.rulesetVersion)", claim.status]
        }
        let total = claims.reduce(0) { $0 + $1.amountPence }
        Report(header: header, rows: rows).print(format, summary: "\(claims.count) claims, \(Money(pence: total)) in all")
    }
}
