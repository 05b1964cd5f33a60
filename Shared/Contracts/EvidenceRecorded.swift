import Foundation
import Vocabulary

/// An agency's evidence record matched to a family member: pseudonymous.
public struct EvidenceRecorded: Contract, Hashable {
    public static let schema = "evidence.recorded"
    public static let version = 1

    public var familyID: UUID
    /// `<agency>/<record id>`: unique; a later record with the same id corrects it.
    public var evidenceID: String
    /// The member's label within the family (`C2`).
    public var personID: String
    public var fact: EvidenceFact
    public var recordedAt: Date

    public init(familyID: UUID, evidenceID: String, personID: String, fact: EvidenceFact, recordedAt: Date) {
        self.familyID = familyID
        self.evidenceID = evidenceID
        self.personID = personID
        self.fact = fact
        self.recordedAt = recordedAt
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        try Check.text(evidenceID, "evidenceID", maxLength: 201)
        try Check.identifier(personID, "personID", maxLength: 20)
        try fact.validate(at: "fact")
    }
}
