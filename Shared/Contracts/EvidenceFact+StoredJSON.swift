import Vocabulary

extension EvidenceFact {
    /// Reads a fact as a stage stored it (`jsonb`'s text of the contract's
    /// JSON), as JSONDecoder would, at a fraction of the cost: stages read
    /// facts back by the hundred thousand. Nil for anything but the plain
    /// shape stored facts have; JSONDecoder then reads it, and says what is wrong.
    public init?(storedJSON json: String) {
        var json = json
        guard let fact = json.withUTF8(Self.init(storedJSONUTF8:)) else { return nil }
        self = fact
    }

    /// ``init(storedJSON:)`` of the text's UTF-8 bytes, as a stage's rows hold them.
    public init?(storedJSONUTF8 json: UnsafeBufferPointer<UInt8>) {
        guard let object = PlainJSONObject(utf8: json), case .text(let kindName)? = object[CodingKeys.kind.stringValue],
            let kind = Kind(rawValue: kindName)
        else { return nil }
        func value(_ key: CodingKeys) -> PlainJSONObject.Value? { object[key.stringValue] }
        func text(_ key: CodingKeys) -> String? {
            guard case .text(let text)? = value(key) else { return nil }
            return text
        }
        func date(_ value: PlainJSONObject.Value?) -> CalendarDate? {
            guard case .text(let text)? = value else { return nil }
            return CalendarDate(iso: text)
        }
        func date(_ key: CodingKeys) -> CalendarDate? { date(value(key)) }
        func count(_ key: CodingKeys) -> Int? {
            guard case .number(let count)? = value(key) else { return nil }
            return count
        }
        func flag(_ key: CodingKeys) -> Bool? {
            guard case .boolean(let flag)? = value(key) else { return nil }
            return flag
        }
        /// A spell's end: absent or null while it lasts; nil (not read) when it is not a date.
        func end(_ key: CodingKeys) -> CalendarDate?? {
            switch value(key) {
            case nil, .null?: .some(nil)
            case let end?: date(end).map { .some($0) }
            }
        }
        switch kind {
        case .offence:
            guard let date = date(.date), let proven = flag(.proven) else { return nil }
            self = .offence(date: date, proven: proven)
        case .asbIntervention:
            guard let type = text(.type), let date = date(.date) else { return nil }
            self = .asbIntervention(type: type, date: date)
        case .attendance:
            guard case .object(let term)? = value(.term), case .text(let id)? = term[StrictSchoolTerm.CodingKeys.id.stringValue],
                let start = date(term[StrictSchoolTerm.CodingKeys.start.stringValue]),
                let end = date(term[StrictSchoolTerm.CodingKeys.end.stringValue]),
                let possible = count(.possibleSessions), let unauthorised = count(.unauthorisedAbsences),
                let authorised = count(.authorisedAbsences)
            else { return nil }
            self = .attendance(
                term: SchoolTerm(id: id, start: start, end: end), possibleSessions: possible, unauthorisedAbsences: unauthorised,
                authorisedAbsences: authorised)
        case .exclusion:
            guard let permanent = flag(.permanent), let date = date(.date) else { return nil }
            self = .exclusion(permanent: permanent, date: date)
        case .alternativeProvision:
            guard let date = date(.date) else { return nil }
            self = .alternativeProvision(date: date)
        case .notOnRoll:
            guard let date = date(.date) else { return nil }
            self = .notOnRoll(date: date)
        case .benefitSpell:
            guard let benefit = text(.benefit), let from = date(.from), let to = end(.to) else { return nil }
            self = .benefitSpell(benefit: benefit, from: from, to: to)
        case .employmentSpell:
            guard let from = date(.from), let to = end(.to) else { return nil }
            self = .employmentSpell(from: from, to: to)
        case .workProvision:
            guard let provision = text(.provision), let date = date(.date) else { return nil }
            self = .workProvision(provision: provision, date: date)
        case .indicator:
            guard let name = text(.name), let date = date(.date) else { return nil }
            self = .indicator(name: name, date: date)
        case .custody:
            guard let from = date(.from), let expectedRelease = date(.expectedRelease) else { return nil }
            self = .custody(from: from, expectedRelease: expectedRelease)
        case .courtOrder:
            guard let order = text(.order).flatMap(CourtOrder.init(rawValue:)), let from = date(.from), let to = date(.to) else { return nil }
            self = .courtOrder(order: order, from: from, to: to)
        case .notInEducationEmploymentOrTraining:
            guard let from = date(.from), let to = end(.to) else { return nil }
            self = .notInEducationEmploymentOrTraining(from: from, to: to)
        case .missingEducation:
            guard let from = date(.from), let to = end(.to) else { return nil }
            self = .missingEducation(from: from, to: to)
        }
    }
}
