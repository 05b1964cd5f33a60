import Vocabulary

/// A programme's rules as data: criteria, the eligibility rule, result
/// definitions and the payment schedule. Local authorities change these
/// files, not the code.
public struct Ruleset: Sendable, Hashable, Codable {
    public var id: String
    public var version: String
    public var name: String
    /// Age from which a member counts as an adult. Phase 1: 18.
    public var adultAge: Int
    public var criteria: [Criterion] { didSet { describeEligibility() } }
    public var eligibility: EligibilityRule { didSet { describeEligibility() } }
    public var results: [ResultDefinition]
    public var payments: PaymentSchedule
    /// SHA-256 of the file the ruleset was read from; set by the loader.
    public internal(set) var contentHash: String = ""
    /// The file's text, as read (its SHA-256 is ``contentHash``); set by the
    /// loader. Screening records it, so a ruleset in use can still be read
    /// once no build ships it.
    public internal(set) var content: String = ""
    /// The eligibility rule in words, kept with the ruleset because every
    /// decision quotes it.
    public private(set) var eligibilityDescription = ""

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        version = try container.decode(String.self, forKey: .version)
        name = try container.decode(String.self, forKey: .name)
        adultAge = try container.decode(Int.self, forKey: .adultAge)
        criteria = try container.decode([Criterion].self, forKey: .criteria)
        eligibility = try container.decode(EligibilityRule.self, forKey: .eligibility)
        results = try container.decode([ResultDefinition].self, forKey: .results)
        payments = try container.decode(PaymentSchedule.self, forKey: .payments)
        describeEligibility()
    }

    private mutating func describeEligibility() {
        let names = Dictionary(criteria.map { ($0.id, $0.name) }) { first, _ in first }
        eligibilityDescription = RulesEngine.describe(eligibility, names: names)
    }

    enum CodingKeys: String, CodingKey {
        case id, version, name, adultAge, criteria, eligibility, results, payments
    }

    /// `id@version#hash-prefix`, as decisions and claims quote it.
    public var reference: String { "\(id)@\(version)#\(contentHash.prefix(12))" }
}

/// One criterion: met when any of its tests is met.
public struct Criterion: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// Where the criterion comes from: the framework and the part of it, or
    /// the council's Outcome Plan, as a co-ordinator checks it against.
    public var source: String?
    public var anyOf: [CriterionTest] { didSet { describeTests() } }
    /// For each test, the things it looks for in words ("ASBO, ABC or
    /// housing ASB intervention"), kept because every unmet test quotes them.
    private(set) var alternatives: [String] = []

    private enum CodingKeys: String, CodingKey { case id, name, source, anyOf }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        anyOf = try container.decode([CriterionTest].self, forKey: .anyOf)
        describeTests()
    }

    private mutating func describeTests() {
        alternatives = anyOf.map(\.alternatives)
    }
}

/// A test over the family's evidence, looking back from the decision date.
public enum CriterionTest: Sendable, Hashable, Codable {
    /// A proven offence in the last `lookbackMonths` by a member aged under
    /// `ageUnder` on the offence date (phase 1's children), or by any member
    /// when there is no age limit (phase 2, Supporting Families).
    case provenOffence(ageUnder: Int?, lookbackMonths: Int)
    /// An ASB intervention of one of `interventions`, by any member, in the last `lookbackMonths`.
    case asbIntervention(interventions: [String], lookbackMonths: Int)
    /// A child permanently excluded, or with `fixedTermAtLeast` fixed-term exclusions, in the last `terms` terms.
    case exclusions(fixedTermAtLeast: Int, terms: Int)
    /// A child in a pupil referral unit or alternative provision, placed in the last `terms` terms.
    case alternativeProvision(terms: Int)
    /// A child not on a school roll, recorded in the last `terms` terms.
    case notOnRoll(terms: Int)
    /// A child whose absence over the last `terms` terms is `thresholdPercent`
    /// or more of possible sessions; `label` names the indicator
    /// ("severe absence") where a framework names more than one.
    case absence(measure: AbsenceMeasure, thresholdPercent: Percentage, terms: Int, label: String?)
    /// An adult on one of `benefits` on the decision date.
    case outOfWorkBenefit(benefits: [String])
    /// Any member with one of `indicators` in the last `lookbackMonths`.
    case indicator(indicators: [String], lookbackMonths: Int)
    /// A member under the adult age on the decision date.
    case dependentChild
    /// An adult in custody on the decision date whose expected release is
    /// within `withinMonths` after it.
    case custodyRelease(withinMonths: Int)
    /// A member subject to one of `orders` at any time in the last `lookbackMonths`.
    case courtOrder(orders: [CourtOrder], lookbackMonths: Int)
    /// A member aged from `ageFrom` to under `ageUnder` on the decision date
    /// and then not in education, employment or training.
    case notInEducationEmploymentOrTraining(ageFrom: Int, ageUnder: Int)
    /// A child missing education at any time in the last `lookbackMonths`
    /// (months, not terms: a family may have no attendance records to give the term calendar).
    case missingEducation(lookbackMonths: Int)

    public enum AbsenceMeasure: String, Sendable, Hashable, Codable {
        /// Unauthorised absent sessions only (phase 1).
        case unauthorised
        /// Authorised and unauthorised (phase 2's persistent absence).
        case overall
    }

    static let kinds = [
        "provenOffence", "asbIntervention", "exclusions", "alternativeProvision", "notOnRoll", "absence",
        "outOfWorkBenefit", "indicator", "dependentChild", "custodyRelease", "courtOrder", "neet", "missingEducation",
    ]

    private enum CodingKeys: String, CodingKey {
        case kind, ageUnder, lookbackMonths, interventions, fixedTermAtLeast, terms, measure, thresholdPercent, label
        case benefits, indicators, withinMonths, orders, ageFrom
    }

    /// Reads a test; its values are checked with the rest of the ruleset
    /// (``Ruleset/problems(file:)``), so a file's every problem is reported at once.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        func count(_ key: CodingKeys) throws -> Int { try container.decode(Int.self, forKey: key) }
        switch kind {
        case "provenOffence":
            self = .provenOffence(
                ageUnder: try container.decodeIfPresent(Int.self, forKey: .ageUnder), lookbackMonths: try count(.lookbackMonths))
        case "asbIntervention":
            self = .asbIntervention(
                interventions: try container.decode([String].self, forKey: .interventions),
                lookbackMonths: try count(.lookbackMonths))
        case "exclusions": self = .exclusions(fixedTermAtLeast: try count(.fixedTermAtLeast), terms: try count(.terms))
        case "alternativeProvision": self = .alternativeProvision(terms: try count(.terms))
        case "notOnRoll": self = .notOnRoll(terms: try count(.terms))
        case "absence":
            self = .absence(
                measure: try container.decode(AbsenceMeasure.self, forKey: .measure),
                thresholdPercent: try container.decode(Percentage.self, forKey: .thresholdPercent), terms: try count(.terms),
                label: try container.decodeIfPresent(String.self, forKey: .label))
        case "outOfWorkBenefit": self = .outOfWorkBenefit(benefits: try container.decode([String].self, forKey: .benefits))
        case "indicator":
            self = .indicator(
                indicators: try container.decode([String].self, forKey: .indicators), lookbackMonths: try count(.lookbackMonths))
        case "dependentChild": self = .dependentChild
        case "custodyRelease": self = .custodyRelease(withinMonths: try count(.withinMonths))
        case "courtOrder":
            self = .courtOrder(orders: try container.decode([CourtOrder].self, forKey: .orders), lookbackMonths: try count(.lookbackMonths))
        case "neet": self = .notInEducationEmploymentOrTraining(ageFrom: try count(.ageFrom), ageUnder: try count(.ageUnder))
        case "missingEducation": self = .missingEducation(lookbackMonths: try count(.lookbackMonths))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container,
                debugDescription: "unknown kind '\(kind)' (expected one of \(Self.kinds.joined(separator: ", ")))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .provenOffence(let ageUnder, let lookbackMonths):
            try container.encode("provenOffence", forKey: .kind)
            try container.encodeIfPresent(ageUnder, forKey: .ageUnder)
            try container.encode(lookbackMonths, forKey: .lookbackMonths)
        case .asbIntervention(let interventions, let lookbackMonths):
            try container.encode("asbIntervention", forKey: .kind)
            try container.encode(interventions, forKey: .interventions)
            try container.encode(lookbackMonths, forKey: .lookbackMonths)
        case .exclusions(let fixedTermAtLeast, let terms):
            try container.encode("exclusions", forKey: .kind)
            try container.encode(fixedTermAtLeast, forKey: .fixedTermAtLeast)
            try container.encode(terms, forKey: .terms)
        case .alternativeProvision(let terms):
            try container.encode("alternativeProvision", forKey: .kind)
            try container.encode(terms, forKey: .terms)
        case .notOnRoll(let terms):
            try container.encode("notOnRoll", forKey: .kind)
            try container.encode(terms, forKey: .terms)
        case .absence(let measure, let thresholdPercent, let terms, let label):
            try container.encode("absence", forKey: .kind)
            try container.encode(measure, forKey: .measure)
            try container.encode(thresholdPercent, forKey: .thresholdPercent)
            try container.encode(terms, forKey: .terms)
            try container.encodeIfPresent(label, forKey: .label)
        case .outOfWorkBenefit(let benefits):
            try container.encode("outOfWorkBenefit", forKey: .kind)
            try container.encode(benefits, forKey: .benefits)
        case .indicator(let indicators, let lookbackMonths):
            try container.encode("indicator", forKey: .kind)
            try container.encode(indicators, forKey: .indicators)
            try container.encode(lookbackMonths, forKey: .lookbackMonths)
        case .dependentChild:
            try container.encode("dependentChild", forKey: .kind)
        case .custodyRelease(let withinMonths):
            try container.encode("custodyRelease", forKey: .kind)
            try container.encode(withinMonths, forKey: .withinMonths)
        case .courtOrder(let orders, let lookbackMonths):
            try container.encode("courtOrder", forKey: .kind)
            try container.encode(orders, forKey: .orders)
            try container.encode(lookbackMonths, forKey: .lookbackMonths)
        case .notInEducationEmploymentOrTraining(let ageFrom, let ageUnder):
            try container.encode("neet", forKey: .kind)
            try container.encode(ageFrom, forKey: .ageFrom)
            try container.encode(ageUnder, forKey: .ageUnder)
        case .missingEducation(let lookbackMonths):
            try container.encode("missingEducation", forKey: .kind)
            try container.encode(lookbackMonths, forKey: .lookbackMonths)
        }
    }
}

/// A percentage held exactly, in hundredths of a percent: 15% is 1500, so
/// 14.9% and 15.0% compare without rounding error.
public struct Percentage: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let basisPoints: Int

    public init(basisPoints: Int) {
        self.basisPoints = basisPoints
    }

    /// Whether `part / whole` is at least this percentage.
    func isReached(by part: Int, of whole: Int) -> Bool {
        part * 10_000 >= basisPoints * whole
    }

    public static func < (lhs: Percentage, rhs: Percentage) -> Bool { lhs.basisPoints < rhs.basisPoints }

    /// `15%`, `14.9%`, `12.25%`.
    public var description: String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        if fraction == 0 { return "\(whole)%" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)%" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// Reads a number of percent, such as `15` or `12.25`; whether it lies
    /// from 0 to 100 is checked with the rest of the ruleset (``isPercentage``).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // A number too large for hundredths of a percent is bad input, not a reason to trap.
        guard let basisPoints = Int(exactly: (try container.decode(Double.self) * 100).rounded()) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a percentage from 0 to 100")
        }
        self.basisPoints = basisPoints
    }

    /// Whether it is a percentage from 0 to 100.
    var isPercentage: Bool { (0...10_000).contains(basisPoints) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Double(basisPoints) / 100)
    }
}

/// How met criteria combine into eligibility.
public indirect enum EligibilityRule: Sendable, Hashable, Codable {
    case criterion(String)
    case all([EligibilityRule])
    case any([EligibilityRule])
    case atLeast(Int, of: [EligibilityRule])

    private enum CodingKeys: String, CodingKey { case criterion, all, any, atLeast, of }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try container.decodeIfPresent(String.self, forKey: .criterion) {
            self = .criterion(id)
        } else if let rules = try container.decodeIfPresent([EligibilityRule].self, forKey: .all) {
            self = .all(rules)
        } else if let rules = try container.decodeIfPresent([EligibilityRule].self, forKey: .any) {
            self = .any(rules)
        } else if let count = try container.decodeIfPresent(Int.self, forKey: .atLeast) {
            self = .atLeast(count, of: try container.decode([EligibilityRule].self, forKey: .of))
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a rule needs one of criterion, all, any or atLeast"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .criterion(let id): try container.encode(id, forKey: .criterion)
        case .all(let rules): try container.encode(rules, forKey: .all)
        case .any(let rules): try container.encode(rules, forKey: .any)
        case .atLeast(let count, let rules):
            try container.encode(count, forKey: .atLeast)
            try container.encode(rules, forKey: .of)
        }
    }

    func isSatisfied(by met: [String]) -> Bool {
        switch self {
        case .criterion(let id): met.contains(id)
        case .all(let rules): rules.allSatisfy { $0.isSatisfied(by: met) }
        case .any(let rules): rules.contains { $0.isSatisfied(by: met) }
        case .atLeast(let count, let rules): rules.count { $0.isSatisfied(by: met) } >= count
        }
    }
}
