import Contracts
import Foundation
import Postgres
import Rules
import Store
import Vocabulary

/// Measures families the claims stage holds and finds the claims due and,
/// when asked, the claims made that the rules no longer support. The claims
/// stage and `turnaround check claims` measure the same way.
///
/// Call it holding the families' claims locks (``AdvisoryLocks/claimsFamilies``).
public struct Claimer: Sendable {
    public let calculator: ClaimCalculator

    /// - Parameter claimant: who the claims due are made by: the claims service, or a user.
    public init(ruleset: Ruleset, asOf: CalendarDate, claimant: String) {
        calculator = ClaimCalculator(ruleset: ruleset, asOf: asOf, claimant: claimant)
    }

    /// What one family's claims should be, beside what was claimed.
    public struct Review: Sendable {
        public var familyID: UUID
        /// Claims the family's results earn now that nobody made yet.
        public var due: [ClaimRow]
        /// Claims made that re-running the rules they were made under on the
        /// evidence now held does not support, each with the reason.
        public var unsupported: [(payment: String, reason: String)]
        /// Claims made under rules that are not known (their content was
        /// never recorded, or this build cannot read it), so not checked,
        /// each with the reason.
        public var notCheckable: [(payment: String, reason: String)]
    }

    /// What claiming the claims due did.
    public struct Claimed: Sendable, Equatable {
        /// Claims made.
        public var claims: Int
        /// Families whose results were due but held back: the year's allocation was used up, or not set.
        public var held: [UUID]
    }

    /// Claims what `reviews` found due: under a ruleset that claims within
    /// the authority's allocation, results only for the families the
    /// allocation of the year of `asOf` has room for (``ClaimAllocation``).
    @discardableResult
    public func claim(_ reviews: [Review], on connection: PostgresConnection) throws -> Claimed {
        var due = reviews.flatMap(\.due)
        var held: [UUID] = []
        if calculator.ruleset.payments.withinAllocation == true {
            (due, held) = try ClaimAllocation(year: calculator.asOf.financialYear, day: calculator.asOf).admit(due, on: connection)
        }
        return Claimed(claims: try ResultClaimTable.claim(due, on: connection), held: held)
    }

    /// The families whose results due in `reviews` the allocation would hold
    /// back if claimed now, as ``claim(_:on:)`` decides; changing nothing.
    public func heldBack(_ reviews: [Review], on connection: PostgresConnection) throws -> [UUID] {
        guard calculator.ruleset.payments.withinAllocation == true else { return [] }
        return try ClaimAllocation(year: calculator.asOf.financialYear, day: calculator.asOf)
            .admit(reviews.flatMap(\.due), recording: false, on: connection).held
    }

    /// Reviews these families: eligible (at entry) and attached ones for the
    /// claims due; given `claimRulesets`, every claim made for them too, each
    /// under the ruleset it was made with.
    public func review(
        _ familyIDs: [UUID], checkingClaimsUnder claimRulesets: ClaimRulesets? = nil, on connection: PostgresConnection
    ) throws -> [Review] {
        let rows = try ClaimsFamilyTable.families(familyIDs, members: [FamilyMember].self, on: connection)
        return try review(
            familyIDs, rows: Dictionary(uniqueKeysWithValues: rows.map { ($0.familyID, $0) }), checkingClaimsUnder: claimRulesets, on: connection)
    }

    /// Reviews these families as `rows` hold them (read in this transaction,
    /// with any changes it wrote); a family without a row is neither eligible nor attached.
    public func review(
        _ familyIDs: [UUID], rows: [UUID: ClaimsFamilyRow], checkingClaimsUnder claimRulesets: ClaimRulesets? = nil,
        on connection: PostgresConnection
    ) throws -> [Review] {
        let ruleset = calculator.ruleset
        let evidence = try FamilyEvidence.load(of: familyIDs, from: .claims, on: connection)
        // Every version's claims: a payment claimed under an earlier one is claimed.
        let claimed = try ResultClaimTable.claimed(of: familyIDs, rulesetID: ruleset.id, on: connection)
        var reviews: [Review] = []
        // A family merged into another is measured as that one: its claims count there.
        for familyID in familyIDs.sorted() where rows[familyID]?.mergedInto == nil {
            let made = claimed[familyID] ?? []
            var review = Review(familyID: familyID, due: [], unsupported: [], notCheckable: [])
            guard let row = rows[familyID], row.isEligible == true, let attachedOn = row.attachedOn.flatMap(CalendarDate.init(iso:)),
                let members = row.members
            else {
                if claimRulesets != nil {
                    review.unsupported = made.map { ($0.payment, "the family was not found eligible and attached") }
                }
                if !review.unsupported.isEmpty { reviews.append(review) }
                continue
            }
            let family = Family(id: familyID.uuidString.lowercased(), members: members)
            let familyEvidence = evidence[familyID] ?? Evidence(records: [], terms: [])
            let closedOn = row.closedOn.flatMap(CalendarDate.init(iso:))
            review.due = try calculator.claims(
                for: family, row: row, attachedOn: attachedOn, closedOn: closedOn, evidence: familyEvidence,
                alreadyClaimed: Dictionary(made.map { ($0.payment, $0.amountPence) }, uniquingKeysWith: +))
            if let claimRulesets {
                // By content hash and measurement day: each claim's results are measured once a ruleset and day.
                var achieved: [String: Set<String>] = [:]
                for claim in made where claim.payment != ClaimExplanation.attachmentPayment {
                    guard let measuredOn = claim.measuredOn, let day = CalendarDate(iso: measuredOn) else {
                        review.unsupported.append((claim.payment, "its measurement day is not recorded"))
                        continue
                    }
                    let claimRuleset: Ruleset
                    switch claimRulesets.ruleset(version: claim.rulesetVersion, contentHash: claim.rulesetHash) {
                    case .ruleset(let found): claimRuleset = found
                    case .unavailable(let reason):
                        review.notCheckable.append((claim.payment, reason))
                        continue
                    }
                    let key = claimRuleset.contentHash + " " + measuredOn
                    if achieved[key] == nil {
                        achieved[key] = ClaimCalculator.achievedResults(
                            under: claimRuleset, for: family, attachedOn: attachedOn, closedOn: closedOn, evidence: familyEvidence, on: day)
                    }
                    if achieved[key]?.contains(claim.payment) != true {
                        // The summary names the running ruleset; an earlier one is named here.
                        let under =
                            claimRuleset.contentHash == ruleset.contentHash
                            ? "" : " under \(claimRuleset.id) version \(claimRuleset.version), the ruleset it was claimed under"
                        review.unsupported.append(
                            (claim.payment, "result \(claim.payment) is not achieved as of \(day) on the evidence held\(under)"))
                    }
                }
            }
            if !review.due.isEmpty || !review.unsupported.isEmpty || !review.notCheckable.isEmpty { reviews.append(review) }
        }
        return reviews
    }
}
