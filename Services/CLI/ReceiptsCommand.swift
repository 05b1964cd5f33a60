import ArgumentParser
import Contracts
import Digest
import Foundation
import Postgres
import Store

struct ReceiptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipts",
        abstract: "An agency's receipts: what intake made of each referral and evidence record it sent.",
        discussion: """
            Each receipt says accepted (a new family, or joining one; a record matched to its person), held (a record \
            about someone no referral names yet), released (a held record matched later), refused (with the field \
            and problem, or an unknown or retired agency, or a bad signature), repeated (a referral id sent again with \
            the same content) or conflicting (the same id with other content: the first stands). Receipts name \
            families and members by pseudonymous ids only. The agency's key authenticates the request.
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "The agency whose receipts to show.") var agency: String
    @Option(help: "The file holding the agency's signing key (from `turnaround agency add`).") var keyFile: String
    @Option(help: "Receipts issued from this day (2026-12-01, from 00:00 UTC) or time with its zone (2026-12-01T09:30:00Z); default: the last 7 days.")
    var since: String?
    @Option(help: "At most this many receipts, oldest first.") var limit = 10_000
    @Option(help: "table, csv or json.") var format: Report.Format = .table

    func validate() throws {
        if let since { _ = try Instant.parse(since, option: "--since") }
        if limit < 1 { throw ValidationError("--limit must be 1 or more") }
    }

    func run() async throws {
        let signer = try AgencyKeyFile.read(keyFile, for: agency)
        let from = try since.map { try Instant.parse($0, option: "--since") } ?? Date().addingTimeInterval(-7 * 86_400)
        let receipts = try await common.withPool { pool in
            try await pool.withConnection { connection in
                try AgencyKeyFile.authenticate(agency, signer: signer, on: connection)
                return try ReceiptTable.ofAgency(agency, since: from, limit: limit, on: connection)
            }
        }
        Self.report(receipts).print(format, summary: Self.summary(receipts))
    }

    static func report(_ receipts: [ReceiptTable.Row]) -> Report {
        Report(
            header: ["issued_at", "verdict", "kind", "item_id", "family_id", "members", "detail", "event_id"],
            rows: receipts.map { receipt in
                [
                    Instant.text(receipt.issuedAt), receipt.verdict, receipt.kind ?? "-", receipt.itemID ?? "-",
                    receipt.familyID?.uuidString.lowercased() ?? "-", receipt.memberLabels.isEmpty ? "-" : receipt.memberLabels.joined(separator: ","),
                    receipt.detail, receipt.eventID ?? "-",
                ]
            })
    }

    /// `3 receipts: 2 accepted, 1 refused`.
    static func summary(_ receipts: [ReceiptTable.Row]) -> String {
        var counts: [String: Int] = [:]
        for receipt in receipts { counts[receipt.verdict, default: 0] += 1 }
        let parts = Receipt.Verdict.allCases.compactMap { verdict in counts[verdict.rawValue].map { "\($0) \(verdict.rawValue)" } }
        return "\(receipts.count) receipt\(receipts.count == 1 ? "" : "s")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }

}
