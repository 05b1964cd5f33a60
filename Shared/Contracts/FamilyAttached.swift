import Foundation
import Vocabulary

/// A co-ordinator recorded that the authority started working with a family
/// (a keyworker assigned): the date that starts the clock for results.
public struct FamilyAttached: Contract, Hashable {
    public static let schema = "family.attached"
    public static let version = 1

    public var familyID: UUID
    public var attachedOn: CalendarDate
    /// The keyworker's staff id, not their name.
    public var keyworker: String
    /// Who recorded the attachment, for the audit trail.
    public var recordedBy: String
    public var recordedAt: Date

    public init(familyID: UUID, attachedOn: CalendarDate, keyworker: String, recordedBy: String, recordedAt: Date) {
        self.familyID = familyID
        self.attachedOn = attachedOn
        self.keyworker = keyworker
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        try Check.notFuture(attachedOn, "attachedOn")
        try Check.identifier(keyworker, "keyworker")
        try Check.identifier(recordedBy, "recordedBy")
    }
}
