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
public struct Evidence: Sendable, Hashable, Codable {
    public var records: [EvidenceRecord]
    public var terms: [SchoolTerm]

    public init(records: [EvidenceRecord], terms: [SchoolTerm]) {
        self.records = records
        self.terms = terms
    }
}

/// One dated fact from a data feed about one member of the family.
public struct EvidenceRecord: Sendable, Hashable, Codable {
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

/// The facts the feeds report.
public enum EvidenceFact: Sendable, Hashable, Codable {
    /// An offence on `date`; only a proven one counts towards the criteria.
    case offence(date: CalendarDate, proven: Bool)
    /// An ASBO, ASB injunction, anti-social behaviour contract, housing ASB
    /// intervention or ASB incident of `kind`, on `date`.
    case asbIntervention(kind: String, date: CalendarDate)
    /// A child's attendance over one term, in sessions.
    case attendance(termID: String, possibleSessions: Int, unauthorisedAbsences: Int, authorisedAbsences: Int)
    /// A fixed-term or permanent exclusion that started on `date`.
    case exclusion(permanent: Bool, date: CalendarDate)
    /// A place in a pupil referral unit or alternative provision because of exclusion, from `date`.
    case alternativeProvision(date: CalendarDate)
    /// A child of school age not on any school roll, as of `date`.
    case notOnRoll(date: CalendarDate)
    /// A spell on a benefit such as `JSA` or `ESA`; `to` nil while it lasts.
    case benefitSpell(benefit: String, from: CalendarDate, to: CalendarDate?)
    /// A spell in work; `to` nil while it lasts.
    case employmentSpell(from: CalendarDate, to: CalendarDate?)
    /// Attachment to a work programme such as the Work Programme or ESF family provision.
    case workProvision(provision: String, date: CalendarDate)
    /// A local or later-phase indicator (child in need, domestic abuse, ...) on `date`.
    case indicator(name: String, date: CalendarDate)
}
