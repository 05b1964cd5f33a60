import Vocabulary

/// One dated fact from an agency's data feed, as it travels:
/// `{"kind": "offence", "date": "2026-01-09", "proven": true}`.
public enum ReportedFact: Sendable, Hashable {
    /// An offence; only a proven one counts towards the criteria.
    case offence(date: CalendarDate, proven: Bool)
    /// An ASBO, ASB injunction, contract, housing ASB intervention or incident.
    case asbIntervention(type: String, date: CalendarDate)
    /// A child's attendance over one term, in sessions.
    case attendance(term: SchoolTerm, possibleSessions: Int, unauthorisedAbsences: Int, authorisedAbsences: Int)
    case exclusion(permanent: Bool, date: CalendarDate)
    /// A place in a pupil referral unit or alternative provision because of exclusion.
    case alternativeProvision(date: CalendarDate)
    case notOnRoll(date: CalendarDate)
    /// A spell on an out-of-work benefit such as `JSA`; `to` absent while it lasts.
    case benefitSpell(benefit: String, from: CalendarDate, to: CalendarDate?)
    case employmentSpell(from: CalendarDate, to: CalendarDate?)
    /// Attachment to a work programme such as the Work Programme or ESF family provision.
    case workProvision(provision: String, date: CalendarDate)
    /// A local or later-phase indicator (`child-in-need`, `domestic-abuse`, …).
    case indicator(name: String, date: CalendarDate)

    /// The school term an attendance record is for.
    public var term: SchoolTerm? {
        if case .attendance(let term, _, _, _) = self { return term }
        return nil
    }

    func validate(at field: String) throws(ContractError) {
        switch self {
        case .offence(let date, _), .exclusion(_, let date), .alternativeProvision(let date), .notOnRoll(let date):
            try Check.notFuture(date, field + ".date")
        case .asbIntervention(let type, let date):
            try Check.text(type, field + ".type", maxLength: 60)
            try Check.notFuture(date, field + ".date")
        case .workProvision(let provision, let date):
            try Check.text(provision, field + ".provision", maxLength: 60)
            try Check.notFuture(date, field + ".date")
        case .indicator(let name, let date):
            try Check.text(name, field + ".name", maxLength: 60)
            try Check.notFuture(date, field + ".date")
        case .attendance(let term, let possible, let unauthorised, let authorised):
            try Check.identifier(term.id, field + ".term.id", maxLength: 20)
            guard term.start <= term.end else { throw ContractError(field: field + ".term.end", problem: "is before the term's start") }
            try Check.notNegative(possible, field + ".possibleSessions")
            try Check.notNegative(unauthorised, field + ".unauthorisedAbsences")
            try Check.notNegative(authorised, field + ".authorisedAbsences")
            guard unauthorised + authorised <= possible else {
                throw ContractError(field: field + ".unauthorisedAbsences", problem: "with authorisedAbsences exceeds possibleSessions")
            }
        case .benefitSpell(let benefit, let from, let to):
            try Check.text(benefit, field + ".benefit", maxLength: 60)
            try Self.validateSpell(from: from, to: to, at: field)
        case .employmentSpell(let from, let to):
            try Self.validateSpell(from: from, to: to, at: field)
        }
    }

    private static func validateSpell(from: CalendarDate, to: CalendarDate?, at field: String) throws(ContractError) {
        try Check.notFuture(from, field + ".from")
        if let to, to < from { throw ContractError(field: field + ".to", problem: "is before from") }
    }
}

extension ReportedFact: Codable {
    private enum Kind: String, Codable, CaseIterable {
        case offence, asbIntervention, attendance, exclusion, alternativeProvision, notOnRoll, benefitSpell,
            employmentSpell, workProvision, indicator
    }

    private enum CodingKeys: String, CodingKey {
        case kind, date, proven, type, term, possibleSessions, unauthorisedAbsences, authorisedAbsences, permanent,
            benefit, from, to, provision, name
    }

    public init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownFields(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kindName = try container.decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: kindName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription: "is not one of " + Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        func date(_ key: CodingKeys) throws -> CalendarDate { try container.decode(CalendarDate.self, forKey: key) }
        switch kind {
        case .offence: self = .offence(date: try date(.date), proven: try container.decode(Bool.self, forKey: .proven))
        case .asbIntervention: self = .asbIntervention(type: try container.decode(String.self, forKey: .type), date: try date(.date))
        case .attendance:
            self = .attendance(
                term: try container.decode(SchoolTerm.self, forKey: .term),
                possibleSessions: try container.decode(Int.self, forKey: .possibleSessions),
                unauthorisedAbsences: try container.decode(Int.self, forKey: .unauthorisedAbsences),
                authorisedAbsences: try container.decode(Int.self, forKey: .authorisedAbsences))
        case .exclusion: self = .exclusion(permanent: try container.decode(Bool.self, forKey: .permanent), date: try date(.date))
        case .alternativeProvision: self = .alternativeProvision(date: try date(.date))
        case .notOnRoll: self = .notOnRoll(date: try date(.date))
        case .benefitSpell:
            self = .benefitSpell(
                benefit: try container.decode(String.self, forKey: .benefit), from: try date(.from),
                to: try container.decodeIfPresent(CalendarDate.self, forKey: .to))
        case .employmentSpell:
            self = .employmentSpell(from: try date(.from), to: try container.decodeIfPresent(CalendarDate.self, forKey: .to))
        case .workProvision:
            self = .workProvision(provision: try container.decode(String.self, forKey: .provision), date: try date(.date))
        case .indicator: self = .indicator(name: try container.decode(String.self, forKey: .name), date: try date(.date))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .offence(let date, let proven):
            try container.encode(Kind.offence, forKey: .kind)
            try container.encode(date, forKey: .date)
            try container.encode(proven, forKey: .proven)
        case .asbIntervention(let type, let date):
            try container.encode(Kind.asbIntervention, forKey: .kind)
            try container.encode(type, forKey: .type)
            try container.encode(date, forKey: .date)
        case .attendance(let term, let possible, let unauthorised, let authorised):
            try container.encode(Kind.attendance, forKey: .kind)
            try container.encode(term, forKey: .term)
            try container.encode(possible, forKey: .possibleSessions)
            try container.encode(unauthorised, forKey: .unauthorisedAbsences)
            try container.encode(authorised, forKey: .authorisedAbsences)
        case .exclusion(let permanent, let date):
            try container.encode(Kind.exclusion, forKey: .kind)
            try container.encode(permanent, forKey: .permanent)
            try container.encode(date, forKey: .date)
        case .alternativeProvision(let date):
            try container.encode(Kind.alternativeProvision, forKey: .kind)
            try container.encode(date, forKey: .date)
        case .notOnRoll(let date):
            try container.encode(Kind.notOnRoll, forKey: .kind)
            try container.encode(date, forKey: .date)
        case .benefitSpell(let benefit, let from, let to):
            try container.encode(Kind.benefitSpell, forKey: .kind)
            try container.encode(benefit, forKey: .benefit)
            try container.encode(from, forKey: .from)
            try container.encodeIfPresent(to, forKey: .to)
        case .employmentSpell(let from, let to):
            try container.encode(Kind.employmentSpell, forKey: .kind)
            try container.encode(from, forKey: .from)
            try container.encodeIfPresent(to, forKey: .to)
        case .workProvision(let provision, let date):
            try container.encode(Kind.workProvision, forKey: .kind)
            try container.encode(provision, forKey: .provision)
            try container.encode(date, forKey: .date)
        case .indicator(let name, let date):
            try container.encode(Kind.indicator, forKey: .kind)
            try container.encode(name, forKey: .name)
            try container.encode(date, forKey: .date)
        }
    }
}
