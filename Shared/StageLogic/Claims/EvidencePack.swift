import Foundation
import Postgres
import Rules
import Store
import Vocabulary

/// Everything internal audit and the department check of one claim, in one
/// document: the eligibility decision criterion by criterion with the
/// evidence ids it used, the attachment, the baseline and the measures, the
/// payment's working, the ruleset, the claim's history and its audit. It
/// names the family and its members by their pseudonymous ids only.
public struct EvidencePack: Codable, Sendable {
    public struct Claim: Codable, Sendable {
        public var claimID: UUID
        public var familyID: UUID
        public var payment: String
        public var amountPence: Int
        public var amount: String
        public var claimWindow: String
        public var financialYear: String
        public var status: String
        public var returnID: UUID?
        public var claimedBy: String
        public var claimedAt: Date
    }

    public struct Ruleset: Codable, Sendable {
        public var id: String
        public var version: String
        public var hash: String
    }

    public struct Attachment: Codable, Sendable {
        public var attachedOn: CalendarDate
        public var keyworker: String?
        public var recordedBy: String?
        /// Why the family was attached though screening had not found it eligible (nil when it had).
        public var discretion: String?
        /// The day the case closed and who recorded it, when it had closed by the measurement.
        public var closedOn: CalendarDate?
        public var closedBy: String?
    }

    public struct Move: Codable, Sendable {
        public var at: Date
        public var from: String?
        public var to: String
        public var by: String
        public var reason: String?
        public var returnID: UUID?
    }

    public struct Audit: Codable, Sendable {
        /// Why the claim is in its window's sample; nil when it is not.
        public var sampledBecause: String?
        public var verdicts: [Verdict]
    }

    public struct Verdict: Codable, Sendable {
        public var passed: Bool
        public var note: String?
        public var by: String
        public var at: Date
    }

    public var claim: Claim
    public var ruleset: Ruleset
    /// The decision that found the family eligible at entry.
    public var eligibility: EligibilityDecision?
    public var attachment: Attachment
    public var baseline: Baseline
    public var measuredOn: CalendarDate
    /// The result measured; nil for the attachment fee.
    public var result: ResultAssessment?
    public var paymentWorking: [String]
    public var history: [Move]
    public var audit: Audit
    /// Where the names are.
    public var personalData =
        "Names, dates of birth and addresses are kept by intake alone (its family, person and referral tables), "
        + "for the authority's staff with access to them; this pack names the family and its members by their pseudonymous ids."

    /// The pack of a claim; nil when there is no such claim.
    public static func load(_ claimID: UUID, on connection: PostgresConnection) throws -> EvidencePack? {
        guard let (row, returnID, claimedAt) = try ResultClaimTable.find(claimID, explanation: ClaimExplanation.self, on: connection) else {
            return nil
        }
        let explanation = row.explanation
        let eligibility = try explanation.eligibilityDecisionID.flatMap {
            try EligibilityDecisionTable.decision($0, as: EligibilityDecision.self, on: connection)
        }
        let moves = try ClaimEventTable.history(of: claimID, on: connection).map {
            Move(at: $0.madeAt, from: $0.from, to: $0.to, by: $0.madeBy, reason: $0.reason, returnID: $0.returnID)
        }
        return EvidencePack(
            claim: Claim(
                claimID: claimID, familyID: row.familyID, payment: row.payment, amountPence: row.amountPence,
                amount: Money(pence: row.amountPence).description, claimWindow: row.claimWindow, financialYear: row.financialYear,
                status: row.status, returnID: returnID, claimedBy: row.claimedBy, claimedAt: claimedAt),
            ruleset: Ruleset(id: row.rulesetID, version: row.rulesetVersion, hash: row.rulesetHash),
            eligibility: eligibility,
            attachment: Attachment(attachedOn: explanation.attachedOn, keyworker: explanation.keyworker, recordedBy: explanation.attachedBy,
                discretion: explanation.attachmentDiscretion, closedOn: explanation.closedOn, closedBy: explanation.closedBy),
            baseline: explanation.baseline, measuredOn: explanation.measuredOn, result: explanation.result,
            paymentWorking: explanation.payment,
            history: [Move(at: claimedAt, from: nil, to: ClaimStatus.awaitingAudit.rawValue, by: row.claimedBy, reason: "claimed", returnID: nil)]
                + moves,
            audit: Audit(
                sampledBecause: try AuditSampleTable.why(claimID, on: connection),
                verdicts: try AuditVerdictTable.all(of: claimID, on: connection).map {
                    Verdict(passed: $0.passed, note: $0.note, by: $0.madeBy, at: $0.madeAt)
                }))
    }
}
