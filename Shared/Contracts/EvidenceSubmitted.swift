import Foundation

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
        try decoder.refuseUnknownFields(CodingKeys.self, also: ["schema", "version"])
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agency = try container.decode(String.self, forKey: .agency)
        submittedAt = try container.decode(Date.self, forKey: .submittedAt)
        record = try container.decode(EvidenceReport.self, forKey: .record)
    }

    /// The person's identity, hashed: one person's records stay in order
    /// without the key showing who they are.
    public var partitionKey: String { agency + "/" + record.subject.keyHash }

    public func validate() throws(ContractError) {
        try Check.identifier(agency, "agency")
        try Check.identifier(record.id, "record.id")
        try record.subject.validate(at: "record.subject")
        try record.fact.validate(at: "record.fact")
    }
}

/// One line of an agency's evidence file.
public struct EvidenceReport: Codable, Sendable, Hashable {
    /// The record's id in the agency's feed; sending it again corrects it.
    public var id: String
    public var subject: PersonIdentity
    public var fact: ReportedFact

    public init(id: String, subject: PersonIdentity, fact: ReportedFact) {
        self.id = id
        self.subject = subject
        self.fact = fact
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownFields(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        subject = try container.decode(PersonIdentity.self, forKey: .subject)
        fact = try container.decode(ReportedFact.self, forKey: .fact)
    }
}
