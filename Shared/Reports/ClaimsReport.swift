import Foundation
import Vocabulary

/// Finance's report of the claims made: by claim window, payment and stage,
/// in pounds, with totals that reconcile: the lines add up to the total, and
/// the total is checked against the database's own count and sum.
public struct ClaimsReport: Sendable, Equatable {
    /// Where a claim stands: its status, a rejection told apart by who made
    /// it (internal audit, or the department after the claim was submitted).
    public enum Stage: String, CaseIterable, Sendable, Codable {
        case awaitingAudit = "awaiting-audit"
        case validated, submitted, paid
        case rejectedByAudit = "rejected-by-audit"
        case refusedByDepartment = "refused-by-department"
    }

    /// Claims and their amount.
    public struct Tally: Sendable, Equatable, Codable {
        public var claims: Int
        public var pence: Int

        public init(claims: Int, pence: Int) {
            self.claims = claims
            self.pence = pence
        }

        public static let zero = Tally(claims: 0, pence: 0)

        public static func + (lhs: Tally, rhs: Tally) -> Tally { Tally(claims: lhs.claims + rhs.claims, pence: lhs.pence + rhs.pence) }

        public var amount: Money { Money(pence: pence) }
    }

    /// The claims of one window, payment and stage.
    public struct Line: Sendable, Equatable {
        public var window: ClaimWindow
        public var payment: String
        public var stage: Stage
        public var tally: Tally

        public init(window: ClaimWindow, payment: String, stage: Stage, tally: Tally) {
            self.window = window
            self.payment = payment
            self.stage = stage
            self.tally = tally
        }
    }

    /// A step of the claims' way to payment, and the claims that reached it.
    public struct FunnelStep: Sendable, Equatable {
        public var name: String
        public var tally: Tally
    }

    /// What the report covers, in words: `all claim windows`, `financial year 2014/15`, `claim window 2014/15 Q2`.
    public let scope: String
    /// By window, then payment (the attachment fee first), then stage.
    public let lines: [Line]
    /// The database's own count and sum over the scope, read in the same snapshot as the lines.
    public let databaseTotal: Tally

    public init(scope: String, lines: [Line], databaseTotal: Tally) {
        self.scope = scope
        self.lines = lines.sorted { lhs, rhs in
            let (left, right) = (Self.paymentOrder(lhs.payment), Self.paymentOrder(rhs.payment))
            return (lhs.window, left.0, left.1, lhs.stage.order) < (rhs.window, right.0, right.1, rhs.stage.order)
        }
        self.databaseTotal = databaseTotal
    }

    /// The lines added up.
    public var total: Tally { lines.reduce(.zero) { $0 + $1.tally } }

    /// Whether the lines add up to the database's total.
    public var reconciles: Bool { total == databaseTotal }

    public var windows: [ClaimWindow] { Array(Set(lines.map(\.window))).sorted() }

    /// The attachment fee first, then the results by id.
    public var payments: [String] { Array(Set(lines.map(\.payment))).sorted { Self.paymentOrder($0) < Self.paymentOrder($1) } }

    public func tally(window: ClaimWindow? = nil, payment: String? = nil, stages: Set<Stage> = Set(Stage.allCases)) -> Tally {
        lines.reduce(.zero) { sum, line in
            (window == nil || line.window == window) && (payment == nil || line.payment == payment) && stages.contains(line.stage)
                ? sum + line.tally : sum
        }
    }

    /// Claimed, past internal audit, submitted to the department, paid.
    public var funnel: [FunnelStep] {
        [
            FunnelStep(name: "claimed", tally: total),
            FunnelStep(name: "passed internal audit", tally: tally(stages: [.validated, .submitted, .paid, .refusedByDepartment])),
            FunnelStep(name: "submitted to the department", tally: tally(stages: [.submitted, .paid, .refusedByDepartment])),
            FunnelStep(name: "paid", tally: tally(stages: [.paid])),
        ]
    }

    static func paymentOrder(_ payment: String) -> (Int, String) { (payment == "attachment" ? 0 : 1, payment) }

    static func paymentName(_ payment: String) -> String { payment == "attachment" ? "attachment fee" : "result \(payment)" }

    // MARK: Renderings

    /// For a terminal: each line, each window's subtotal, the total, and
    /// whether it reconciles with the database.
    public var table: String {
        var table = TextTable(header: ["window", "payment", "stage", "claims", "amount"], alignments: [.left, .left, .left, .right, .right])
        for window in windows {
            for line in lines where line.window == window {
                table.append([window.description, line.payment, line.stage.rawValue, "\(line.tally.claims)", line.tally.amount.description])
            }
            let subtotal = tally(window: window)
            table.append([window.description, "all", "all", "\(subtotal.claims)", subtotal.amount.description])
        }
        table.append(["total", "", "", "\(total.claims)", total.amount.description])
        return "Claims, \(scope)\n\n" + table.text + "\n" + reconciliation + "\n"
    }

    /// For a spreadsheet: one row a line, amounts in pounds, the total last.
    public var csv: String {
        CSV.document(
            header: ["window", "payment", "stage", "claims", "amount_pounds"],
            rows: lines.map { [$0.window.description, $0.payment, $0.stage.rawValue, "\($0.tally.claims)", $0.tally.amount.decimalPounds] }
                + [["total", "", "", "\(total.claims)", total.amount.decimalPounds]])
    }

    /// For a program: the lines, the totals by window, payment and stage, the
    /// funnel, and the total with the database's.
    public func json() throws -> String {
        struct Amount: Encodable {
            let claims: Int
            let amountPence: Int
            let amountPounds: String
            init(_ tally: Tally) {
                claims = tally.claims
                amountPence = tally.pence
                amountPounds = tally.amount.decimalPounds
            }
        }
        struct Keyed: Encodable {
            let key: String
            let value: Amount
        }
        struct Document: Encodable {
            let scope: String
            let lines: [[String: String]]
            let byWindow: [String: Amount]
            let byPayment: [String: Amount]
            let byStage: [String: Amount]
            let funnel: [Keyed]
            let total: Amount
            let databaseTotal: Amount
            let reconciles: Bool
        }
        let document = Document(
            scope: scope,
            lines: lines.map {
                [
                    "window": $0.window.description, "payment": $0.payment, "stage": $0.stage.rawValue, "claims": "\($0.tally.claims)",
                    "amount_pence": "\($0.tally.pence)", "amount_pounds": $0.tally.amount.decimalPounds,
                ]
            },
            byWindow: Dictionary(uniqueKeysWithValues: windows.map { ($0.description, Amount(tally(window: $0))) }),
            byPayment: Dictionary(uniqueKeysWithValues: payments.map { ($0, Amount(tally(payment: $0))) }),
            byStage: Dictionary(uniqueKeysWithValues: Stage.allCases.map { ($0.rawValue, Amount(tally(stages: [$0]))) }),
            funnel: funnel.map { Keyed(key: $0.name, value: Amount($0.tally)) },
            total: Amount(total), databaseTotal: Amount(databaseTotal), reconciles: reconciles)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    /// Says whether the total reconciles with the database's.
    public var reconciliation: String {
        reconciles
            ? "The total reconciles with the database: \(databaseTotal.claims) claims, \(databaseTotal.amount)."
            : "The total DOES NOT reconcile with the database: the lines add up to \(total.claims) claims, \(total.amount); "
                + "the database holds \(databaseTotal.claims) claims, \(databaseTotal.amount)."
    }
}

extension ClaimsReport.Stage {
    var order: Int { Self.allCases.firstIndex(of: self)! }
}
