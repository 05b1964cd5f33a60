import Foundation
import Postgres
import Reports
import Rules
import Store
import Vocabulary

/// Finance's reports, read from the claims database in one snapshot.
public enum FinanceReports {
    /// What a claims report covers.
    public enum Scope: Sendable {
        case all
        case financialYear(FinancialYear)
        case window(ClaimWindow)

        var words: String {
            switch self {
            case .all: "all claim windows"
            case .financialYear(let year): "financial year \(year)"
            case .window(let window): "claim window \(window)"
            }
        }
    }

    /// The claims of `scope` by window, payment and stage, with the database's
    /// own total beside the lines' (run in a repeatable-read transaction, so both
    /// read the same claims).
    public static func claims(_ scope: Scope, on connection: PostgresConnection) throws -> ClaimsReport {
        var (window, year): (String?, String?) = (nil, nil)
        switch scope {
        case .all: break
        case .financialYear(let financialYear): year = financialYear.description
        case .window(let claimWindow): window = claimWindow.description
        }
        let lines = try ResultClaimTable.summed(window: window, financialYear: year, on: connection).map { summed in
            guard let claimWindow = ClaimWindow(summed.claimWindow), let status = ClaimStatus(rawValue: summed.status) else {
                throw ReportError.unreadable("a claim's window \"\(summed.claimWindow)\" or status \"\(summed.status)\"")
            }
            return ClaimsReport.Line(
                window: claimWindow, payment: summed.payment, stage: stage(status, inReturn: summed.inReturn),
                tally: .init(claims: summed.claims, pence: summed.amountPence))
        }
        let total = try ResultClaimTable.total(window: window, financialYear: year, on: connection)
        return ClaimsReport(scope: scope.words, lines: lines, databaseTotal: .init(claims: total.claims, pence: total.amountPence))
    }

    /// The programme's progress table under `ruleset`: families first found
    /// eligible, attached, turned around (their first result that is not a
    /// progress-to-work one) and with progress to work, by quarter.
    public static func progress(
        authority: String, ruleset: Ruleset, target: Int?, on connection: PostgresConnection
    ) throws -> ProgressReport {
        var counts: [ClaimWindow: ProgressReport.Counts] = [:]
        for row in try ClaimsFamilyTable.eligibleAndAttachedDays(rulesetID: ruleset.id, on: connection) {
            guard let eligibleSince = CalendarDate(iso: row.eligibleSince) else { throw ReportError.unreadable("the day \(row.eligibleSince)") }
            counts[ClaimWindow(containing: eligibleSince), default: .init()].identified += row.families
            if let attachedOn = row.attachedOn {
                guard let day = CalendarDate(iso: attachedOn) else { throw ReportError.unreadable("the day \(attachedOn)") }
                counts[ClaimWindow(containing: day), default: .init()].workedWith += row.families
            }
        }
        let progressToWork = ruleset.results.compactMap { result -> String? in
            if case .progressToWork = result.measure { result.id } else { nil }
        }
        // Windows are written year first, fixed width: the earliest sorts first as text.
        for first in try ResultClaimTable.firstResultWindows(rulesetID: ruleset.id, progressPayments: progressToWork, on: connection) {
            guard let window = ClaimWindow(first.window) else { throw ReportError.unreadable("a claim's window \"\(first.window)\"") }
            if first.isProgress {
                counts[window, default: .init()].progressToWork += first.families
            } else {
                counts[window, default: .init()].turnedAround += first.families
            }
        }
        return ProgressReport(authority: authority, ruleset: "\(ruleset.id) v\(ruleset.version)", target: target, counts: counts)
    }

    static func stage(_ status: ClaimStatus, inReturn: Bool) -> ClaimsReport.Stage {
        switch status {
        case .awaitingAudit: .awaitingAudit
        case .validated: .validated
        case .submitted: .submitted
        case .paid: .paid
        case .rejected: inReturn ? .refusedByDepartment : .rejectedByAudit
        }
    }

    public enum ReportError: Error, CustomStringConvertible {
        case unreadable(String)

        public var description: String {
            switch self {
            case .unreadable(let what): "the claims database holds \(what) that a report cannot read"
            }
        }
    }
}
