import Vocabulary

/// What a family earns: the attachment fee and the payment for each
/// achieved result, after the ruleset's caps.
public struct PaymentBreakdown: Sendable, Hashable, Codable {
    public var financialYear: String
    public var attachmentFee: Money
    public var resultPayments: [ResultPayment]
    public var total: Money
    public var explanation: [String]
}

public struct ResultPayment: Sendable, Hashable, Codable {
    public var resultID: String
    public var amount: Money
}

/// The facts payments depend on.
public struct PaymentBasis: Sendable, Hashable, Codable {
    public var attachedOn: CalendarDate
    public var achievedResults: Set<String>

    public init(attachedOn: CalendarDate, achievedResults: Set<String>) {
        self.attachedOn = attachedOn
        self.achievedResults = achievedResults
    }
}

/// The ruleset has no payment schedule for the year a family was attached in.
public struct PaymentScheduleError: Error, CustomStringConvertible, Sendable {
    public var financialYear: String
    public var ruleset: String
    public var description: String { "\(ruleset) has no payment schedule for financial year \(financialYear)" }
}

extension RulesEngine {
    /// The amounts due for a family, by financial year of attachment, within
    /// the caps: exclusive results (phase 1's C) are paid alone; all results
    /// together pay at most the year's results payment; fee and results
    /// together at most the cap per family.
    /// - Throws: ``PaymentScheduleError`` when the year has no schedule.
    public static func payments(for basis: PaymentBasis, ruleset: Ruleset) throws -> PaymentBreakdown {
        let financialYear = basis.attachedOn.financialYear
        guard let year = ruleset.payments.years.first(where: { $0.financialYear == financialYear }) else {
            throw PaymentScheduleError(financialYear: financialYear, ruleset: ruleset.reference)
        }
        var explanation = ["Attached on \(basis.attachedOn), financial year \(financialYear) (\(ruleset.reference))"]
        let familyCap = ruleset.payments.capPerFamily
        let fee = familyCap.map { min($0, year.attachmentFee) } ?? year.attachmentFee
        explanation.append("Attachment fee \(fee)")

        let achieved = ruleset.results.map(\.id).filter(basis.achievedResults.contains)
        var payable = achieved
        if let exclusive = achieved.first(where: ruleset.payments.exclusiveResults.contains) {
            payable = [exclusive]
            if achieved.count > 1 {
                explanation.append("Result \(exclusive) is paid alone: it pays the whole results payment")
            }
        }
        var resultsRoom = year.resultsPayment
        var familyRoom = familyCap.map { $0 - fee }
        var payments: [ResultPayment] = []
        for id in payable {
            let due = year.results[id] ?? .zero
            let paid = min(due, resultsRoom, familyRoom ?? due)
            resultsRoom = resultsRoom - paid
            familyRoom = familyRoom.map { $0 - paid }
            payments.append(ResultPayment(resultID: id, amount: paid))
            if paid < due {
                explanation.append("Result \(id) \(paid) (of \(due): results pay at most \(year.resultsPayment) a family"
                    + (familyCap.map { " and \($0) in all" } ?? "") + ")")
            } else {
                explanation.append("Result \(id) \(paid)")
            }
        }
        let total = payments.reduce(fee) { $0 + $1.amount }
        explanation.append("Total \(total)" + (familyCap.map { " (at most \($0) a family)" } ?? ""))
        return PaymentBreakdown(
            financialYear: financialYear, attachmentFee: fee, resultPayments: payments, total: total, explanation: explanation)
    }
}
