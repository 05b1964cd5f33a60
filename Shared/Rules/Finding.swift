import Vocabulary

/// One thing the rules found in the evidence, with the evidence records it
/// rests on, and its sentence for a co-ordinator.
///
/// The facts are kept as data and the sentence is written when it is read:
/// deciding stays fast, and the same facts always give the same words.
public struct Finding: Sendable, Hashable, Codable {
    public var isMet: Bool
    /// The member it is about; nil for a finding about the whole family.
    public var personID: String?
    public var evidenceIDs: [String]
    let detail: FindingDetail

    /// A finding whose sentence is already written.
    public init(isMet: Bool, personID: String?, evidenceIDs: [String], text: String) {
        self.init(isMet: isMet, personID: personID, evidenceIDs: evidenceIDs, detail: .sentence(text))
    }

    init(isMet: Bool, personID: String?, evidenceIDs: [String], detail: FindingDetail) {
        self.isMet = isMet
        self.personID = personID
        self.evidenceIDs = evidenceIDs
        self.detail = detail
    }

    /// The finding in words, e.g. "Child C2: 17.2% unauthorised absence over
    /// terms 2025-AU, 2026-SP, 2026-SU (threshold 15%)".
    public var text: String { detail.text }

    private enum CodingKeys: String, CodingKey { case isMet, personID, evidenceIDs, text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            isMet: try container.decode(Bool.self, forKey: .isMet),
            personID: try container.decodeIfPresent(String.self, forKey: .personID),
            evidenceIDs: try container.decode([String].self, forKey: .evidenceIDs),
            text: try container.decode(String.self, forKey: .text))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isMet, forKey: .isMet)
        try container.encodeIfPresent(personID, forKey: .personID)
        try container.encode(evidenceIDs, forKey: .evidenceIDs)
        try container.encode(text, forKey: .text)
    }

    public static func == (lhs: Finding, rhs: Finding) -> Bool {
        lhs.isMet == rhs.isMet && lhs.personID == rhs.personID && lhs.evidenceIDs == rhs.evidenceIDs
            && lhs.text == rhs.text
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(isMet)
        hasher.combine(personID)
        hasher.combine(evidenceIDs)
        hasher.combine(text)
    }
}

/// Who a finding is about, as the sentence names them.
enum Subject: Sendable, Hashable {
    case child(String)
    case adult(String)
    /// Someone the evidence names who is not in the household.
    case member(String)

    var label: String {
        switch self {
        case .child(let id): "Child " + id
        case .adult(let id): "Adult " + id
        case .member(let id): "Member " + id
        }
    }
}

/// The facts of a finding, from which its sentence is written.
enum FindingDetail: Sendable, Hashable {
    case sentence(String)
    case provenOffence(Subject, date: CalendarDate, age: Int, recordID: String, lookbackMonths: Int, since: CalendarDate)
    case noProvenOffence(ageUnder: Int?, lookbackMonths: Int, since: CalendarDate)
    case asbIntervention(Subject, kind: String, date: CalendarDate, recordID: String, lookbackMonths: Int, since: CalendarDate)
    case noneInLookback(alternatives: String, lookbackMonths: Int, since: CalendarDate)
    case permanentExclusion(Subject, date: CalendarDate, recordID: String, terms: [String])
    case fixedTermExclusions(Subject, recordIDs: [String], terms: [String], threshold: Int)
    case noExclusions(terms: [String])
    case placement(Subject, what: String, date: CalendarDate, recordID: String)
    case noPlacement(what: String, since: CalendarDate)
    case absence(
        Subject, absent: Int, possible: Int, measure: CriterionTest.AbsenceMeasure, terms: [String], threshold: Percentage, label: String?)
    case noAttendance(terms: [String])
    case onBenefit(Subject, benefit: String, from: CalendarDate, recordID: String)
    case noBenefit(alternatives: String, on: CalendarDate)
    case indicator(Subject, name: String, date: CalendarDate, recordID: String)
    case noneRecorded(alternatives: String, lookbackMonths: Int, since: CalendarDate)
    case dependentChild(id: String, age: Int, on: CalendarDate)
    case noDependentChild(adultAge: Int, on: CalendarDate)
    case noCompleteTerm(before: CalendarDate)
    case dueForRelease(Subject, from: CalendarDate, release: CalendarDate, recordID: String, by: CalendarDate)
    case noneDueForRelease(withinMonths: Int, by: CalendarDate)
    case courtOrder(Subject, order: CourtOrder, from: CalendarDate, to: CalendarDate, recordID: String, lookbackMonths: Int, since: CalendarDate)
    case notInEducationEmploymentOrTraining(Subject, age: Int, from: CalendarDate, recordID: String)
    case noneNotInEducationEmploymentOrTraining(ageFrom: Int, ageUnder: Int, on: CalendarDate)

    var text: String {
        switch self {
        case .sentence(let text):
            return text
        case .provenOffence(let subject, let date, let age, let recordID, let lookbackMonths, let since):
            return "\(subject.label): proven offence on \(date) at age \(age) (\(recordID)), within the \(lookbackMonths) months since \(since)"
        case .noProvenOffence(let ageUnder, let lookbackMonths, let since):
            return "No proven offence by \(CriterionTest.offender(ageUnder: ageUnder)) in the \(lookbackMonths) months since \(since)"
        case .asbIntervention(let subject, let kind, let date, let recordID, let lookbackMonths, let since):
            return "\(subject.label): \(kind) on \(date) (\(recordID)), within the \(lookbackMonths) months since \(since)"
        case .noneInLookback(let alternatives, let lookbackMonths, let since):
            return "No \(alternatives) in the \(lookbackMonths) months since \(since)"
        case .permanentExclusion(let subject, let date, let recordID, let terms):
            return "\(subject.label): permanently excluded on \(date) (\(recordID)), within terms \(terms.joined(separator: ", "))"
        case .fixedTermExclusions(let subject, let recordIDs, let terms, let threshold):
            return "\(subject.label): \(recordIDs.count) fixed-term exclusion\(recordIDs.count == 1 ? "" : "s") "
                + "(\(recordIDs.joined(separator: ", "))) over terms \(terms.joined(separator: ", ")) (threshold \(threshold))"
        case .noExclusions(let terms):
            return "No exclusions over terms \(terms.joined(separator: ", "))"
        case .placement(let subject, let what, let date, let recordID):
            return "\(subject.label): \(what) from \(date) (\(recordID))"
        case .noPlacement(let what, let since):
            return "No child \(what) since \(since)"
        case .absence(let subject, let absent, let possible, let measure, let terms, let threshold, let label):
            return "\(subject.label): \(EvaluationContext.percent(absent, of: possible)) \(measure.rawValue) absence "
                + "over terms \(terms.joined(separator: ", ")) (\(label.map { $0 + ", " } ?? "")threshold \(threshold))"
        case .noAttendance(let terms):
            return "No attendance recorded for terms \(terms.joined(separator: ", "))"
        case .onBenefit(let subject, let benefit, let from, let recordID):
            return "\(subject.label): on \(benefit) since \(from) (\(recordID))"
        case .noBenefit(let alternatives, let date):
            return "No adult \(CriterionTest.onOutOfWorkBenefit(alternatives)) on \(date)"
        case .indicator(let subject, let name, let date, let recordID):
            return "\(subject.label): \(name) recorded on \(date) (\(recordID))"
        case .noneRecorded(let alternatives, let lookbackMonths, let since):
            return "No \(alternatives) recorded in the \(lookbackMonths) months since \(since)"
        case .dependentChild(let id, let age, let date):
            return "Child \(id) is \(age) on \(date)"
        case .noDependentChild(let adultAge, let date):
            return "No member under \(adultAge) on \(date)"
        case .noCompleteTerm(let date):
            return "No complete school term recorded before \(date)"
        case .dueForRelease(let subject, let from, let release, let recordID, let by):
            return "\(subject.label): in custody since \(from), expected release \(release) (\(recordID)), by \(by)"
        case .noneDueForRelease(let withinMonths, let by):
            return "No adult \(CriterionTest.dueForRelease(withinMonths: withinMonths)) (by \(by))"
        case .courtOrder(let subject, let order, let from, let to, let recordID, let lookbackMonths, let since):
            return "\(subject.label): \(order.words) from \(from) to \(to) (\(recordID)), within the \(lookbackMonths) months since \(since)"
        case .notInEducationEmploymentOrTraining(let subject, let age, let from, let recordID):
            return "\(subject.label), \(age): not in education, employment or training since \(from) (\(recordID))"
        case .noneNotInEducationEmploymentOrTraining(let ageFrom, let ageUnder, let date):
            return "No member \(CriterionTest.notInEducationEmploymentOrTraining(ageFrom: ageFrom, ageUnder: ageUnder)) on \(date)"
        }
    }
}
