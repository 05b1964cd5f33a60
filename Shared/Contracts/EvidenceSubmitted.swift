import Foundation
import Vocabulary

/// A record from an agency's data feed, about one person, as the agency
/// knows them. Intake matches the person and sends the record on, without
/// the name, as ``EvidenceRecorded``. Signed with the agency's key.
public struct EvidenceSubmitted: Contract, Hashable {
    public static let schema = "evidence.submitted"
    public static let version = 1

    public var agency: String
    public var submittedAt: Date
    public var record: EvidenceReport

    public init(agency: String, submittedAt: Date, record: EvidenceReport) {
        self.agency = agency
        self.submittedAt = submittedAt
        self.record = record
    }

    public init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self, also: ["schema", "version"])
        agency = try fields.read(String.self, .agency, else: "")
        submittedAt = try fields.read(Date.self, .submittedAt, else: Date(timeIntervalSince1970: 0))
        record = try fields.read(EvidenceReport.self, .record, else: EvidenceReport.standIn)
        try fields.finish { _ throws(ContractError) in try validate() }
    }

    /// The person's identity, hashed: one person's records stay in order
    /// without the key showing who they are.
    public var partitionKey: String { agency + "/" + record.subject.keyHash }

    public func validate() throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.identifier(agency, "agency") }
        problems.check { () throws(ContractError) in try record.validate(at: "record") }
        try problems.throwIfAny()
    }
}

/// One line of an agency's evidence file.
public struct EvidenceReport: Codable, Sendable, Hashable {
    /// The record's id in the agency's feed; sending it again corrects it.
    public var id: String
    public var subject: PersonIdentity
    public var fact: EvidenceFact

    public init(id: String, subject: PersonIdentity, fact: EvidenceFact) {
        self.id = id
        self.subject = subject
        self.fact = fact
    }

    public init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self)
        id = try fields.read(String.self, .id, else: "")
        subject = try fields.read(PersonIdentity.self, .subject, else: Self.standIn.subject)
        fact = try fields.read(EvidenceFact.self, .fact, else: Self.standIn.fact)
        try fields.finish { field throws(ContractError) in try validate(at: field) }
    }

    func validate(at field: String) throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.identifier(id, field + ".id") }
        problems.check { () throws(ContractError) in try subject.validate(at: field + ".subject") }
        problems.check { () throws(ContractError) in try fact.validate(at: field + ".fact") }
        try problems.throwIfAny()
    }

    /// What stands in for a record that cannot be read, in a careful read.
    static let standIn = EvidenceReport(
        id: "", subject: PersonIdentity(givenName: "", familyName: "", dateOfBirth: PersonIdentity.standInDate),
        fact: .notOnRoll(date: PersonIdentity.standInDate))
}
