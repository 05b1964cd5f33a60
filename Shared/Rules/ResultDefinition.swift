import Vocabulary

/// A result the programme pays for, and how it is measured against the
/// family's baseline at attachment.
public struct ResultDefinition: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var measure: ResultMeasure
    /// Where the programme's documents set the result out.
    public var source: String?

    private enum CodingKeys: String, CodingKey { case id, name, kind, source }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "crimeAndEducation": measure = .crimeAndEducation(try CrimeAndEducationMeasure(from: decoder))
        case "progressToWork": measure = .progressToWork(try ProgressToWorkMeasure(from: decoder))
        case "continuousEmployment": measure = .continuousEmployment(try ContinuousEmploymentMeasure(from: decoder))
        case "sustainedProgress": measure = .sustainedProgress(try SustainedProgressMeasure(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription:
                    "unknown kind '\(kind)' (expected one of crimeAndEducation, progressToWork, continuousEmployment, sustainedProgress)"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(source, forKey: .source)
        switch measure {
        case .crimeAndEducation(let measure):
            try container.encode("crimeAndEducation", forKey: .kind)
            try measure.encode(to: encoder)
        case .progressToWork(let measure):
            try container.encode("progressToWork", forKey: .kind)
            try measure.encode(to: encoder)
        case .continuousEmployment(let measure):
            try container.encode("continuousEmployment", forKey: .kind)
            try measure.encode(to: encoder)
        case .sustainedProgress(let measure):
            try container.encode("sustainedProgress", forKey: .kind)
            try measure.encode(to: encoder)
        }
    }
}

public enum ResultMeasure: Sendable, Hashable {
    case crimeAndEducation(CrimeAndEducationMeasure)
    case progressToWork(ProgressToWorkMeasure)
    case continuousEmployment(ContinuousEmploymentMeasure)
    case sustainedProgress(SustainedProgressMeasure)
}

/// Phase 1's result A: each part that applies to the family must be met.
public struct CrimeAndEducationMeasure: Sendable, Hashable, Codable {
    /// The months before attachment (baseline) and before the assessment (outcome) that ASB and offending are counted over.
    public var months: Int
    public var asbInterventions: [String]
    public var asbReductionPercent: Percentage
    /// Offending by members under this age at the offence counts.
    public var youthAgeUnder: Int
    public var offendingReductionPercent: Percentage
    /// The complete terms after attachment that attendance and exclusions are measured over.
    public var educationTerms: Int
    /// Each child must have fewer fixed-term exclusions than this.
    public var fixedExclusionsBelow: Int
    /// Each child's unauthorised absence must be below this.
    public var absenceBelowPercent: Percentage
    /// Which families the education part applies to; absent: those with the
    /// education problem at entry (phase 1's "where relevant").
    public var educationPartAppliesTo: EducationPartScope?

    /// The readings of phase 1's "where relevant" for the education part of result A.
    public enum EducationPartScope: String, Sendable, Hashable, Codable {
        /// Families that had the education problem at attachment: the financial framework's reading, and the default.
        case familiesWithTheProblem
        /// Every family with a child at school after attachment.
        case everySchoolAgeChild
    }
}

/// Phase 1's result B: an adult attached to a work programme.
public struct ProgressToWorkMeasure: Sendable, Hashable, Codable {
    public var provisions: [String]
    public var months: Int
}

/// Continuous employment: an adult off out-of-work benefits into work for a number of weeks.
public struct ContinuousEmploymentMeasure: Sendable, Hashable, Codable {
    public var weeks: Int
    public var benefits: [String]
}

/// Every problem the family had at attachment no longer met, at least
/// `months` after attachment or, where the ruleset says so, after the case closed.
public struct SustainedProgressMeasure: Sendable, Hashable, Codable {
    public var months: Int
    /// Criteria that qualify a family but are not problems to resolve
    /// (Supporting Families' dependent children).
    public var ignoredCriteria: [String]?
    /// What the months run from; absent: attachment.
    public var after: Start?

    /// The day progress is measured from.
    public enum Start: String, Sendable, Hashable, Codable {
        /// The family's attachment (phase 2: progress sustained since the work began).
        case attachment
        /// The closure of the family's case (`turnaround close`; Supporting
        /// Families: outcomes sustained after the work ended). An open case has no result yet.
        case caseClosure
    }
}

/// What the programme pays, by financial year of attachment.
public struct PaymentSchedule: Sendable, Hashable, Codable {
    /// The most one family can earn in all (fee and results); nil for no cap.
    public var capPerFamily: Money?
    /// Results that, when achieved, are paid alone (phase 1: C pays the whole results payment).
    public var exclusiveResults: [String]
    /// Whether results are claimed for at most the authority's allocation of
    /// families in each financial year of claiming (Supporting Families),
    /// and for none in a year it has no allocation for; absent: no allocation.
    public var withinAllocation: Bool?
    public var years: [PaymentYear]
    /// Where the programme's documents set the payments out.
    public var source: String?
}

public struct PaymentYear: Sendable, Hashable, Codable {
    /// `2012/13`: attachments from 1 April 2012 to 31 March 2013.
    public var financialYear: String
    public var attachmentFee: Money
    /// The most all results together pay.
    public var resultsPayment: Money
    /// What each result pays, by result id.
    public var results: [String: Money]
}
