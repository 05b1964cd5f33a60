import Foundation
import Vocabulary

/// A co-ordinator found two of intake's families to be one (`turnaround
/// review merge`): the merged family's people now belong to the kept family,
/// under new labels there. Screening and claims move what they hold about the
/// merged family to the kept one and decide it once more; the merged family is
/// never decided or claimed for again. No names: labels only.
public struct FamilyMerged: Contract, Hashable {
    public static let schema = "family.merged"
    public static let version = 1

    /// The family kept.
    public var familyID: UUID
    /// The family merged into it, which has no members from now on.
    public var mergedFamilyID: UUID
    /// Each member of the merged family: its label there and its label in the kept family.
    public var relabelled: [Relabelling]
    /// Everyone in the kept family after the merge.
    public var members: [FamilyMember]
    /// Who merged them (a staff id), for the audit trail.
    public var mergedBy: String
    public var mergedAt: Date

    public struct Relabelling: Codable, Sendable, Hashable {
        /// The member's label in the merged family.
        public var from: String
        /// The member's label in the kept family.
        public var to: String

        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public init(familyID: UUID, mergedFamilyID: UUID, relabelled: [Relabelling], members: [FamilyMember], mergedBy: String, mergedAt: Date) {
        self.familyID = familyID
        self.mergedFamilyID = mergedFamilyID
        self.relabelled = relabelled
        self.members = members
        self.mergedBy = mergedBy
        self.mergedAt = mergedAt
    }

    /// The merged family's labels mapped to the kept family's.
    public var labels: [String: String] {
        Dictionary(relabelled.map { ($0.from, $0.to) }, uniquingKeysWith: { first, _ in first })
    }

    /// Keyed by the family kept: its other messages come in order with it.
    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        var problems = Problems()
        if mergedFamilyID == familyID { problems.add(ContractError(field: "mergedFamilyID", problem: "is the family kept")) }
        problems.check { () throws(ContractError) in try Check.nonEmpty(members, "members") }
        problems.check { () throws(ContractError) in try Check.identifier(mergedBy, "mergedBy") }
        let kept = Set(members.map(\.id))
        for (index, relabelling) in relabelled.enumerated() where !kept.contains(relabelling.to) {
            problems.add(ContractError(field: "relabelled[\(index)].to", problem: "is not a member of the family kept"))
        }
        if Set(relabelled.map(\.from)).count != relabelled.count || Set(relabelled.map(\.to)).count != relabelled.count {
            problems.add(ContractError(field: "relabelled", problem: "names a member twice"))
        }
        try problems.throwIfAny()
    }
}
