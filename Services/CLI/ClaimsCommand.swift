import ArgumentParser
import Foundation
import Rules
import Store

struct ClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "List the results payments claimed, by claim window, as a table or CSV.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv }

    @OptionGroup var common: CommonOptions
    @Option(help: "Only this claim window, e.g. '2013/14 Q2'.") var window: String?
    @Option(help: "table or csv.") var format: Format = .table

    func run() async throws {
        let logger = common.makeLogger()
        let pool = try await common.migratedPool(logger: logger)
        defer { pool.close() }
        let claims = try await pool.withConnection { try ResultClaimTable.all(window: window, on: $0) }
        let header = ["claim_window", "family_id", "payment", "amount", "financial_year", "ruleset", "status"]
        let rows = claims.map { claim in
            [claim.claimWindow, claim.familyID.uuidString.lowercased(), claim.payment, Money(pence: claim.amountPence).description,
             claim.financialYear, "\(claim.rulesetID) v\(claim.rulesetVersion)", claim.status]
        }
        switch format {
        case .csv:
            for row in [header] + rows { print(row.map(Self.csvField).joined(separator: ",")) }
        case .table:
            for row in [header] + rows { print(row.joined(separator: "\t")) }
            let total = claims.reduce(0) { $0 + $1.amountPence }
            print("\(claims.count) claims, \(Money(pence: total)) in all")
        }
    }

    private static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
