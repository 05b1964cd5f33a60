import Foundation
import Vocabulary

/// A co-ordinator recorded that the authority's work with a family ended
/// (`turnaround close`): under a ruleset that measures results after the
/// case closed (Supporting Families), the day that starts that clock.
public struct FamilyClosed: Contract, Hashable {
    public static let schema = "family.closed"
    public static let version = 1

    public var familyID: UUID
    public var closedOn: CalendarDate
    /// Who recorded the closure (a staff id), for the audit trail.
    public var recordedBy: String
    public var recordedAt: Date
    /// Why the case closed, such as "stepped down to early help". No names.
    public var reason: String?

    public init(familyID: UUID, closedOn: CalendarDate, recordedBy: String, recordedAt: Date, reason: String? = nil) {
        self.familyID = familyID
        self.closedOn = closedOn
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.reason = reason
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.notFuture(closedOn, "closedOn") }
        problems.check { () throws(ContractError) in try Check.identifier(recordedBy, "recordedBy") }
        if let reason { problems.check { () throws(ContractError) in try Check.text(reason, "reason", maxLength: 500) } }
        try problems.throwIfAny()
    }
}
