import Vocabulary

/// A fact as agencies send it and stages pass it on:
/// `{"kind": "offence", "date": "2026-01-09", "proven": true}`. Each kind has
/// its fields, checked as the rest of the message is.
extension EvidenceFact {
    func validate(at field: String) throws(ContractError) {
        var problems = Problems()
        func check(_ body: () throws(ContractError) -> Void) { problems.check(body) }
        switch self {
        case .offence(let date, _), .exclusion(_, let date), .alternativeProvision(let date), .notOnRoll(let date):
            check { () throws(ContractError) in try Check.notFuture(date, field + ".date") }
        case .asbIntervention(let type, let date):
            check { () throws(ContractError) in try Check.text(type, field + ".type", maxLength: 60) }
            check { () throws(ContractError) in try Check.notFuture(date, field + ".date") }
        case .workProvision(let provision, let date):
            check { () throws(ContractError) in try Check.text(provision, field + ".provision", maxLength: 60) }
            check { () throws(ContractError) in try Check.notFuture(date, field + ".date") }
        case .indicator(let name, let date):
            check { () throws(ContractError) in try Check.text(name, field + ".name", maxLength: 60) }
            check { () throws(ContractError) in try Check.notFuture(date, field + ".date") }
        case .attendance(let term, let possible, let unauthorised, let authorised):
            check { () throws(ContractError) in try Check.identifier(term.id, field + ".term.id", maxLength: 20) }
            if term.start > term.end { problems.add(ContractError(field: field + ".term.end", problem: "is before the term's start")) }
            check { () throws(ContractError) in try Check.notNegative(possible, field + ".possibleSessions") }
            check { () throws(ContractError) in try Check.notNegative(unauthorised, field + ".unauthorisedAbsences") }
            check { () throws(ContractError) in try Check.notNegative(authorised, field + ".authorisedAbsences") }
            if unauthorised + authorised > possible {
                problems.add(ContractError(field: field + ".unauthorisedAbsences", problem: "with authorisedAbsences exceeds possibleSessions"))
            }
        case .benefitSpell(let benefit, let from, let to):
            check { () throws(ContractError) in try Check.text(benefit, field + ".benefit", maxLength: 60) }
            check { () throws(ContractError) in try Self.validateSpell(from: from, to: to, at: field) }
        case .employmentSpell(let from, let to), .notInEducationEmploymentOrTraining(let from, let to),
            .missingEducation(let from, let to):
            check { () throws(ContractError) in try Self.validateSpell(from: from, to: to, at: field) }
        case .custody(let from, let expectedRelease):
            check { () throws(ContractError) in try Check.notFuture(from, field + ".from") }
            if expectedRelease < from { problems.add(ContractError(field: field + ".expectedRelease", problem: "is before from")) }
        case .courtOrder(_, let from, let to):
            check { () throws(ContractError) in try Self.validateSpell(from: from, to: to, at: field) }
        }
        try problems.throwIfAny()
    }

    private static func validateSpell(from: CalendarDate, to: CalendarDate?, at field: String) throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.notFuture(from, field + ".from") }
        if let to, to < from { problems.add(ContractError(field: field + ".to", problem: "is before from")) }
        try problems.throwIfAny()
    }
}

extension EvidenceFact: Codable {
    enum Kind: String, Codable, CaseIterable, Hashable {
        case offence, asbIntervention, attendance, exclusion, alternativeProvision, notOnRoll, benefitSpell,
            employmentSpell, workProvision, indicator, custody, courtOrder
        case notInEducationEmploymentOrTraining = "neet"
        case missingEducation
    }

    enum CodingKeys: String, CodingKey {
        case kind, date, proven, type, term, possibleSessions, unauthorisedAbsences, authorisedAbsences, permanent,
            benefit, from, to, provision, name, expectedRelease, order
    }

    /// The fields a fact of each kind holds, `kind` included: a field of another kind is refused, not ignored.
    private static let fieldsOfKind: [Kind: Set<String>] = Dictionary(
        uniqueKeysWithValues: Kind.allCases.map { kind in (kind, Set((fields(of: kind) + [.kind]).map(\.stringValue))) })

    private static func fields(of kind: Kind) -> [CodingKeys] {
        switch kind {
        case .offence: [.date, .proven]
        case .asbIntervention: [.type, .date]
        case .attendance: [.term, .possibleSessions, .unauthorisedAbsences, .authorisedAbsences]
        case .exclusion: [.permanent, .date]
        case .alternativeProvision, .notOnRoll: [.date]
        case .benefitSpell: [.benefit, .from, .to]
        case .employmentSpell, .notInEducationEmploymentOrTraining, .missingEducation: [.from, .to]
        case .workProvision: [.provision, .date]
        case .indicator: [.name, .date]
        case .custody: [.from, .expectedRelease]
        case .courtOrder: [.order, .from, .to]
        }
    }

    public init(from decoder: any Decoder) throws {
        let kindName = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: kindName) else {
            throw try FieldReader(decoder, CodingKeys.self).refusal(
                .kind, "is not one of " + Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var fields = try FieldReader(decoder, CodingKeys.self, only: Self.fieldsOfKind[kind])
        let standIn = PersonIdentity.standInDate
        func date(_ key: CodingKeys) throws -> CalendarDate { try fields.read(CalendarDate.self, key, else: standIn) }
        func text(_ key: CodingKeys) throws -> String { try fields.read(String.self, key, else: "") }
        func count(_ key: CodingKeys) throws -> Int { try fields.read(Int.self, key, else: 0) }
        func flag(_ key: CodingKeys) throws -> Bool { try fields.read(Bool.self, key, else: false) }
        switch kind {
        case .offence: self = .offence(date: try date(.date), proven: try flag(.proven))
        case .asbIntervention: self = .asbIntervention(type: try text(.type), date: try date(.date))
        case .attendance:
            self = .attendance(
                term: try fields.read(StrictSchoolTerm.self, .term, else: StrictSchoolTerm(term: SchoolTerm(id: "", start: standIn, end: standIn))).term,
                possibleSessions: try count(.possibleSessions),
                unauthorisedAbsences: try count(.unauthorisedAbsences),
                authorisedAbsences: try count(.authorisedAbsences))
        case .exclusion: self = .exclusion(permanent: try flag(.permanent), date: try date(.date))
        case .alternativeProvision: self = .alternativeProvision(date: try date(.date))
        case .notOnRoll: self = .notOnRoll(date: try date(.date))
        case .benefitSpell:
            self = .benefitSpell(benefit: try text(.benefit), from: try date(.from), to: try fields.readIfPresent(CalendarDate.self, .to))
        case .employmentSpell:
            self = .employmentSpell(from: try date(.from), to: try fields.readIfPresent(CalendarDate.self, .to))
        case .workProvision: self = .workProvision(provision: try text(.provision), date: try date(.date))
        case .indicator: self = .indicator(name: try text(.name), date: try date(.date))
        case .custody: self = .custody(from: try date(.from), expectedRelease: try date(.expectedRelease))
        case .courtOrder:
            let orderName = try text(.order)
            guard let order = CourtOrder(rawValue: orderName) else {
                throw fields.refusal(.order, "is not a court order: one of " + CourtOrder.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self = .courtOrder(order: order, from: try date(.from), to: try date(.to))
        case .notInEducationEmploymentOrTraining:
            self = .notInEducationEmploymentOrTraining(from: try date(.from), to: try fields.readIfPresent(CalendarDate.self, .to))
        case .missingEducation:
            self = .missingEducation(from: try date(.from), to: try fields.readIfPresent(CalendarDate.self, .to))
        }
        try fields.finish { field throws(ContractError) in try validate(at: field) }
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
        case .custody(let from, let expectedRelease):
            try container.encode(Kind.custody, forKey: .kind)
            try container.encode(from, forKey: .from)
            try container.encode(expectedRelease, forKey: .expectedRelease)
        case .courtOrder(let order, let from, let to):
            try container.encode(Kind.courtOrder, forKey: .kind)
            try container.encode(order, forKey: .order)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
        case .notInEducationEmploymentOrTraining(let from, let to):
            try container.encode(Kind.notInEducationEmploymentOrTraining, forKey: .kind)
            try container.encode(from, forKey: .from)
            try container.encodeIfPresent(to, forKey: .to)
        case .missingEducation(let from, let to):
            try container.encode(Kind.missingEducation, forKey: .kind)
            try container.encode(from, forKey: .from)
            try container.encodeIfPresent(to, forKey: .to)
        }
    }
}

/// A school term as an agency's record gives it, read strictly: a field
/// the term does not have is refused, as in the rest of the record.
struct StrictSchoolTerm: Decodable {
    var term: SchoolTerm

    init(term: SchoolTerm) { self.term = term }

    enum CodingKeys: String, CodingKey { case id, start, end }

    init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self)
        let standIn = PersonIdentity.standInDate
        term = SchoolTerm(
            id: try fields.read(String.self, .id, else: ""), start: try fields.read(CalendarDate.self, .start, else: standIn),
            end: try fields.read(CalendarDate.self, .end, else: standIn))
        // The term's checks belong to its record: EvidenceFact.validate runs them.
        try fields.finish { _ throws(ContractError) in }
    }
}
