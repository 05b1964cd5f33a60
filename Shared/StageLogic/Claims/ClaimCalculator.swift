import Contracts
import Foundation
import Rules
import Store
import Vocabulary

/// Works out the claims a family's results earn: the attachment fee and each
/// achieved result's payment not claimed before, within what the ruleset
/// pays the family in all. Pure: ``Claimer`` reads and writes the tables.
public struct ClaimCalculator: Sendable {
    public let ruleset: Ruleset
    public let asOf: CalendarDate
    /// Who the claims are made by: the claims service, or a user.
    public let claimant: String

    public init(ruleset: Ruleset, asOf: CalendarDate, claimant: String) {
        self.ruleset = ruleset
        self.asOf = asOf
        self.claimant = claimant
    }

    /// The claims due now and not made before.
    /// - Parameter closedOn: the day the family's case closed; nil while it is open.
    public func claims(
        for family: Family, row: ClaimsFamilyRow, attachedOn: CalendarDate, closedOn: CalendarDate?, evidence: Evidence,
        alreadyClaimed: [String: Int]
    ) throws -> [ClaimRow] {
        let baseline = RulesEngine.baseline(family: family, evidence: evidence, attachedOn: attachedOn, ruleset: ruleset)
        let assessments = RulesEngine.results(
            family: family, baseline: baseline, evidence: evidence, attachedOn: attachedOn, closedOn: closedOn, asOf: asOf, ruleset: ruleset)
        let achieved = Set(assessments.filter { $0.status == .achieved }.map(\.resultID))
        let breakdown = try RulesEngine.payments(for: PaymentBasis(attachedOn: attachedOn, achievedResults: achieved), ruleset: ruleset)

        let due = [(ClaimExplanation.attachmentPayment, breakdown.attachmentFee)] + breakdown.resultPayments.map { ($0.resultID, $0.amount) }
        // What the family may still be paid: an exclusive result achieved
        // after others were claimed tops the payment up to its whole, no more.
        var room = breakdown.total.pence - alreadyClaimed.values.reduce(0, +)
        let window = ClaimWindow(containing: asOf)
        var claims: [ClaimRow] = []
        for (payment, amount) in due where alreadyClaimed[payment] == nil && amount.pence > 0 && room > 0 {
            let claimed = min(amount.pence, room)
            room -= claimed
            let explanation = ClaimExplanation(
                eligibilityDecisionID: row.decisionID, attachedOn: attachedOn, keyworker: row.keyworker, attachedBy: row.attachedBy,
                attachmentDiscretion: row.attachmentDiscretion, closedOn: closedOn, closedBy: row.closedBy,
                measuredOn: asOf, baseline: baseline, result: assessments.first { $0.resultID == payment },
                payment: breakdown.explanation
                    + (claimed < amount.pence ? ["\(payment) claimed at \(Money(pence: claimed)): earlier claims took the rest"] : []))
            claims.append(
                ClaimRow(
                    familyID: row.familyID, rulesetID: ruleset.id, rulesetVersion: ruleset.version, rulesetHash: ruleset.contentHash,
                    payment: payment, amountPence: claimed, financialYear: breakdown.financialYear, claimWindow: window.description,
                    explanation: explanation, claimedBy: claimant))
        }
        return claims
    }

    /// The results `ruleset` finds achieved as of `day`, measured against the baseline at attachment.
    public static func achievedResults(
        under ruleset: Ruleset, for family: Family, attachedOn: CalendarDate, closedOn: CalendarDate?, evidence: Evidence, on day: CalendarDate
    ) -> Set<String> {
        let baseline = RulesEngine.baseline(family: family, evidence: evidence, attachedOn: attachedOn, ruleset: ruleset)
        return Set(
            RulesEngine.results(
                family: family, baseline: baseline, evidence: evidence, attachedOn: attachedOn, closedOn: closedOn, asOf: day, ruleset: ruleset
            )
            .filter { $0.status == .achieved }.map(\.resultID))
    }
}

/// What a claim keeps for audit: eligibility at entry, who attached the
/// family and when, the baseline, the result's measures and the payment's working.
public struct ClaimExplanation: Codable, Sendable {
    public static let attachmentPayment = "attachment"

    public var eligibilityDecisionID: UUID?
    public var attachedOn: CalendarDate
    public var keyworker: String?
    public var attachedBy: String?
    /// Why the family was attached though screening had not found it eligible (nil when it had).
    public var attachmentDiscretion: String?
    /// The day the case closed and who recorded it (nil while it was open).
    public var closedOn: CalendarDate?
    public var closedBy: String?
    public var measuredOn: CalendarDate
    public var baseline: Baseline
    public var result: ResultAssessment?
    public var payment: [String]
}
