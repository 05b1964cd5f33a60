import Foundation
import Postgres
import Rules
import Store
import Vocabulary

/// Every family screening holds, decided under a proposed ruleset and the
/// current one, recording nothing: which families a change of rules would
/// let in or leave out, and why (`turnaround what-if`).
public struct RulesetComparison: Sendable {
    public let proposed: Ruleset
    public let current: Ruleset
    public let asOf: CalendarDate

    public init(proposed: Ruleset, current: Ruleset, asOf: CalendarDate) {
        self.proposed = proposed
        self.current = current
        self.asOf = asOf
    }

    /// A family whose outcome or criteria met differ between the two rulesets.
    public struct Difference: Sendable {
        public var familyID: UUID
        public var current: EligibilityDecision
        public var proposed: EligibilityDecision

        public var outcomeChanged: Bool { current.isEligible != proposed.isEligible }
        /// Criteria met under the proposed ruleset and not the current one, by id.
        public var criteriaGained: [String] { proposed.metCriteria.filter { !current.metCriteria.contains($0) } }
        /// Criteria met under the current ruleset and not the proposed one, by id.
        public var criteriaLost: [String] { current.metCriteria.filter { !proposed.metCriteria.contains($0) } }
    }

    /// What the comparison found over all the families.
    public struct Tally: Sendable, Equatable {
        public var families = 0
        public var nowEligible = 0
        public var noLongerEligible = 0
        /// Families whose criteria met differ, whether or not their outcome does.
        public var criteriaChanged = 0
        /// For each criterion id, the families that meet it only under the proposed ruleset.
        public var gained: [String: Int] = [:]
        /// For each criterion id, the families that meet it only under the current ruleset.
        public var lost: [String: Int] = [:]

        public init() {}

        mutating func add(_ other: Tally) {
            families += other.families
            nowEligible += other.nowEligible
            noLongerEligible += other.noLongerEligible
            criteriaChanged += other.criteriaChanged
            gained.merge(other.gained, uniquingKeysWith: +)
            lost.merge(other.lost, uniquingKeysWith: +)
        }

        mutating func add(_ difference: Difference) {
            if difference.outcomeChanged {
                if difference.proposed.isEligible { nowEligible += 1 } else { noLongerEligible += 1 }
            }
            if !difference.criteriaGained.isEmpty || !difference.criteriaLost.isEmpty { criteriaChanged += 1 }
            for id in difference.criteriaGained { gained[id, default: 0] += 1 }
            for id in difference.criteriaLost { lost[id, default: 0] += 1 }
        }
    }

    /// Compares every family screening holds, as one snapshot shows them, in
    /// slices of `sliceSize` families (in id order) that `lanes` connections
    /// (at most the pool's) read and decide side by side. A slice is read as
    /// the range of ids from its first family to its last.
    /// - Returns: the tally, and the families that differ in id order.
    public func compareEveryFamily(
        on pool: PostgresPool, lanes: Int = 2, sliceSize: Int = 5_000
    ) async throws -> (tally: Tally, differences: [Difference]) {
        let lanes = min(lanes, pool.configuration.maxConnections)
        let lanesFound = try await pool.withSharedSnapshot(lanes: lanes) { lane, connection -> (Tally, [(slice: Int, differences: [Difference])]) in
            // Every lane reads the same ids from the same snapshot and takes every `lanes`-th slice, from its own.
            let all = try ScreeningFamilyTable.allFamilyIDs(on: connection)
            var tally = Tally()
            var found: [(slice: Int, differences: [Difference])] = []
            for slice in stride(from: lane, to: (all.count + sliceSize - 1) / sliceSize, by: lanes) {
                let start = slice * sliceSize
                let held = try FamilyEvidence.held(from: all[start], through: all[min(start + sliceSize, all.count) - 1], on: connection)
                found.append((slice, differences(among: held, tally: &tally)))
            }
            return (tally, found)
        }
        var tally = Tally()
        for (laneTally, _) in lanesFound { tally.add(laneTally) }
        return (tally, lanesFound.flatMap(\.1).sorted { $0.slice < $1.slice }.flatMap(\.differences))
    }

    /// Decides these families under both rulesets, and adds each to `tally`.
    /// - Returns: the families whose outcome or criteria met differ.
    func differences(among families: [FamilyEvidence.Held], tally: inout Tally) -> [Difference] {
        var differences: [Difference] = []
        for held in families {
            let current = RulesEngine.eligibility(family: held.family, evidence: held.evidence, asOf: asOf, ruleset: current)
            let proposed = RulesEngine.eligibility(family: held.family, evidence: held.evidence, asOf: asOf, ruleset: proposed)
            tally.families += 1
            guard current.isEligible != proposed.isEligible || Set(current.metCriteria) != Set(proposed.metCriteria) else { continue }
            let difference = Difference(familyID: held.familyID, current: current, proposed: proposed)
            tally.add(difference)
            differences.append(difference)
        }
        return differences
    }
}
