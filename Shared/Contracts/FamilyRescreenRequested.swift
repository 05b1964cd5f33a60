import Foundation
import Vocabulary

/// A co-ordinator's request (`turnaround rescreen`) that screening decide a
/// family again from the evidence it holds, under the ruleset named here:
/// a screening process running another ruleset sets the request aside
/// rather than decide under rules nobody asked for. One message a family,
/// keyed by it, so each screening replica takes its share.
public struct FamilyRescreenRequested: Contract, Hashable {
    public static let schema = "family.rescreen.requested"
    public static let version = 1

    /// The rescreen this family is part of, which counts its progress.
    public var requestID: UUID
    public var familyID: UUID
    /// The ruleset to decide under, as decisions name it: id, version and content hash.
    public var rulesetID: String
    public var rulesetVersion: String
    public var rulesetHash: String
    /// The day to decide as of; screening's today when absent.
    public var asOf: CalendarDate?
    /// Who asked (a staff id), recorded with each decision that changes.
    public var requestedBy: String

    public init(
        requestID: UUID, familyID: UUID, rulesetID: String, rulesetVersion: String, rulesetHash: String, asOf: CalendarDate?,
        requestedBy: String
    ) {
        self.requestID = requestID
        self.familyID = familyID
        self.rulesetID = rulesetID
        self.rulesetVersion = rulesetVersion
        self.rulesetHash = rulesetHash
        self.asOf = asOf
        self.requestedBy = requestedBy
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.identifier(rulesetID, "rulesetID") }
        problems.check { () throws(ContractError) in try Check.identifier(rulesetVersion, "rulesetVersion") }
        if rulesetHash.count != 64 || !rulesetHash.allSatisfy(\.isHexDigit) {
            problems.add(ContractError(field: "rulesetHash", problem: "is not a SHA-256 in hex"))
        }
        problems.check { () throws(ContractError) in try Check.identifier(requestedBy, "requestedBy") }
        try problems.throwIfAny()
    }
}
