import Foundation
import Vocabulary

/// A co-ordinator recorded that the authority started working with a family
/// (a keyworker assigned): the date that starts the clock for results.
public struct FamilyAttached: Contract, Hashable {
    public static let schema = "family.attached"
    /// Version 2 adds `discretion`; version 1 messages read as attachments the screening allowed.
    public static let version = 2
    public static let readsVersions = 1...2

    public var familyID: UUID
    public var attachedOn: CalendarDate
    /// The keyworker's staff id, not their name.
    public var keyworker: String
    /// Who recorded the attachment, for the audit trail.
    public var recordedBy: String
    public var recordedAt: Date
    /// Why the family was attached though screening had not found it
    /// eligible (`turnaround attach --force --reason`); nil when it had.
    /// No names: a co-ordinator's reason, such as a case conference's decision.
    public var discretion: String?

    public init(familyID: UUID, attachedOn: CalendarDate, keyworker: String, recordedBy: String, recordedAt: Date, discretion: String? = nil) {
        self.familyID = familyID
        self.attachedOn = attachedOn
        self.keyworker = keyworker
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.discretion = discretion
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.notFuture(attachedOn, "attachedOn") }
        problems.check { () throws(ContractError) in try Check.identifier(keyworker, "keyworker") }
        problems.check { () throws(ContractError) in try Check.identifier(recordedBy, "recordedBy") }
        if let discretion { problems.check { () throws(ContractError) in try Check.text(discretion, "discretion", maxLength: 500) } }
        try problems.throwIfAny()
    }
}
