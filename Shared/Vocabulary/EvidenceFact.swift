/// One dated fact from an agency's data feed about one member of a family:
/// what intake receives, screening keeps and the rules read. One type for
/// all three, so a new kind of evidence is this case, its fields in the
/// contract (`Contracts`), and the rule test that reads it (`Rules`).
public enum EvidenceFact: Sendable, Hashable {
    /// An offence; only a proven one counts towards the criteria.
    case offence(date: CalendarDate, proven: Bool)
    /// An ASBO, ASB injunction, contract, housing ASB intervention or incident.
    case asbIntervention(type: String, date: CalendarDate)
    /// A child's attendance over one term, in sessions.
    case attendance(term: SchoolTerm, possibleSessions: Int, unauthorisedAbsences: Int, authorisedAbsences: Int)
    /// A fixed-term or permanent exclusion that started on `date`.
    case exclusion(permanent: Bool, date: CalendarDate)
    /// A place in a pupil referral unit or alternative provision because of exclusion, from `date`.
    case alternativeProvision(date: CalendarDate)
    /// A child of school age not on any school roll, as of `date`.
    case notOnRoll(date: CalendarDate)
    /// A spell on an out-of-work benefit such as `JSA`; `to` absent while it lasts.
    case benefitSpell(benefit: String, from: CalendarDate, to: CalendarDate?)
    /// A spell in work; `to` absent while it lasts.
    case employmentSpell(from: CalendarDate, to: CalendarDate?)
    /// Attachment to a work programme such as the Work Programme or ESF family provision.
    case workProvision(provision: String, date: CalendarDate)
    /// A local or later-phase indicator (`child-in-need`, `domestic-abuse`, …).
    case indicator(name: String, date: CalendarDate)
    /// In prison since `from`, with the release date the prison expects.
    case custody(from: CalendarDate, expectedRelease: CalendarDate)
    /// Subject to a court order from `from` to `to`.
    case courtOrder(order: CourtOrder, from: CalendarDate, to: CalendarDate)
    /// A young person not in education, employment or training; `to` absent while it lasts.
    case notInEducationEmploymentOrTraining(from: CalendarDate, to: CalendarDate?)
    /// A child missing education (not registered at a school nor otherwise
    /// receiving a suitable education); `to` absent while it lasts.
    case missingEducation(from: CalendarDate, to: CalendarDate?)

    /// The school term an attendance record is for.
    public var term: SchoolTerm? {
        if case .attendance(let term, _, _, _) = self { return term }
        return nil
    }
}

/// A sentence served in the community, or after prison under supervision.
public enum CourtOrder: String, Sendable, Hashable, Codable, CaseIterable {
    /// Released from prison on licence.
    case licence
    case communityOrder
    case suspendedSentence

    /// "community order", as a sentence says it.
    public var words: String {
        switch self {
        case .licence: "licence"
        case .communityOrder: "community order"
        case .suspendedSentence: "suspended sentence"
        }
    }
}
