import Vocabulary

/// A household as the rules see it: pseudonymous people and their dates of
/// birth, nothing more.
public struct Family: Sendable, Hashable, Codable {
    public var id: String
    public var members: [FamilyMember]

    public init(id: String, members: [FamilyMember]) {
        self.id = id
        self.members = members
    }
}

/// Everything known about a family from the data feeds, and the term calendar
/// to read attendance against.
public struct Evidence: Sendable, Hashable {
    public var records: [EvidenceRecord]
    public var terms: [SchoolTerm]

    public init(records: [EvidenceRecord], terms: [SchoolTerm]) {
        self.records = records
        self.terms = terms
    }
}

/// One dated fact from a data feed about one member of the family.
public struct EvidenceRecord: Sendable, Hashable {
    /// The record's id in its source feed, quoted in explanations.
    public var id: String
    public var personID: String
    public var fact: EvidenceFact

    public init(id: String, personID: String, fact: EvidenceFact) {
        self.id = id
        self.personID = personID
        self.fact = fact
    }
}
