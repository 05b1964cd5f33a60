import Vocabulary

// The rules in words, in one place: the ruleset as `turnaround rulesets show`
// prints it, the eligibility rule every decision quotes, and the phrases the
// findings `turnaround explain` prints share with them, so the two agree.

/// A ruleset in words, for a co-ordinator: each criterion with its source
/// and tests, the eligibility rule, the results and the payments.
public struct RulesetInWords: Sendable, Hashable {
    public struct CriterionInWords: Sendable, Hashable {
        public var id: String
        public var name: String
        public var source: String?
        /// Each test, one of which meets the criterion.
        public var tests: [String]
    }

    public struct ResultInWords: Sendable, Hashable {
        public var id: String
        public var name: String
        /// How the result is measured.
        public var measure: String
        public var source: String?
    }

    /// `phase2-2015 v1.2.0: Troubled Families phase 2 (2015-21)`.
    public var title: String
    public var criteria: [CriterionInWords]
    /// `Eligible: at least 2 of (…)`.
    public var eligibility: String
    public var results: [ResultInWords]
    /// A line for each financial year, then the caps.
    public var payments: [String]
    /// All of it but the title, as `turnaround rulesets show` prints it under the title.
    public var body: String

    /// All of it.
    public var text: String { title + "\n" + body }
}

extension Ruleset {
    /// The ruleset in words.
    public var inWords: RulesetInWords {
        let names = Dictionary(criteria.map { ($0.id, $0.name) }) { first, _ in first }
        let criteria = criteria.map { criterion in
            RulesetInWords.CriterionInWords(
                id: criterion.id, name: criterion.name, source: criterion.source, tests: criterion.anyOf.map { $0.words(adultAge: adultAge) })
        }
        let results = results.map { RulesetInWords.ResultInWords(id: $0.id, name: $0.name, measure: $0.measure.words(criterionNames: names), source: $0.source) }
        let title = "\(id) v\(version): \(name)"
        let eligibility = "Eligible: " + eligibilityDescription
        let payments = payments.words(resultOrder: self.results.map(\.id))

        var lines = ["A member counts as an adult from \(adultAge).", ""]
        lines.append("Criteria, each met by any one of its tests, looking back from the day of the decision:")
        for criterion in criteria {
            lines.append("")
            lines.append("\(criterion.name) (\(criterion.id))")
            if let source = criterion.source { lines.append("  source: \(source)") }
            lines += criterion.tests.map { "  - \($0)" }
        }
        lines += ["", eligibility, "", "Results, each measured against the family's baseline at attachment:"]
        for result in results {
            lines.append("  \(result.name) (\(result.id)): \(result.measure)")
            if let source = result.source { lines.append("    source: \(source)") }
        }
        lines += ["", "Payments, by the financial year a family is attached in:"]
        lines += payments.map { "  \($0)" }
        if let source = self.payments.source { lines.append("  source: \(source)") }
        return RulesetInWords(
            title: title, criteria: criteria, eligibility: eligibility, results: results, payments: payments,
            body: lines.joined(separator: "\n") + "\n")
    }
}

extension CriterionTest {
    /// The test in words, as `turnaround rulesets show` lists it under its
    /// criterion: "a proven offence by any member in the last 12 months".
    /// - Parameter adultAge: the age from which the ruleset counts a member as an adult.
    public func words(adultAge: Int) -> String {
        switch self {
        case .provenOffence(let ageUnder, let lookbackMonths):
            "a proven offence by \(Self.offender(ageUnder: ageUnder)) in \(RulesEngine.last(lookbackMonths, "month"))"
        case .asbIntervention(_, let lookbackMonths):
            "an ASB intervention (\(alternatives)) against any member in \(RulesEngine.last(lookbackMonths, "month"))"
        case .exclusions(let fixedTermAtLeast, let terms):
            "a child permanently excluded, or with "
                + (fixedTermAtLeast == 1 ? "a fixed-term exclusion" : "\(fixedTermAtLeast) or more fixed-term exclusions")
                + ", over \(RulesEngine.last(terms, "term"))"
        case .alternativeProvision(let terms):
            "a child placed \(Self.inAlternativeProvision) in \(RulesEngine.last(terms, "term"))"
        case .notOnRoll(let terms):
            "a child recorded \(Self.notOnRoll) in \(RulesEngine.last(terms, "term"))"
        case .absence(let measure, let thresholdPercent, let terms, let label):
            "\(measure.rawValue) absence of \(thresholdPercent) or more of possible sessions over \(RulesEngine.last(terms, "term"))"
                + (label.map { " (\($0))" } ?? "")
        case .outOfWorkBenefit:
            "an adult \(Self.onOutOfWorkBenefit(alternatives)) on the day of the decision"
        case .indicator(_, let lookbackMonths):
            "\(alternatives) recorded for any member in \(RulesEngine.last(lookbackMonths, "month"))"
        case .dependentChild:
            "a member under \(adultAge) (a dependent child) on the day of the decision"
        case .custodyRelease(let withinMonths):
            "an adult \(Self.dueForRelease(withinMonths: withinMonths))"
        case .courtOrder(_, let lookbackMonths):
            "a \(alternatives) in force in \(RulesEngine.last(lookbackMonths, "month"))"
        case .notInEducationEmploymentOrTraining(let ageFrom, let ageUnder):
            "a member \(Self.notInEducationEmploymentOrTraining(ageFrom: ageFrom, ageUnder: ageUnder))"
        case .missingEducation(let lookbackMonths):
            "a child missing education in \(RulesEngine.last(lookbackMonths, "month"))"
        }
    }

    /// The things a test looks for, one of which meets it, in words ("ASBO,
    /// ABC or housing ASB intervention"); empty for a test with no such list.
    var alternatives: String {
        switch self {
        case .asbIntervention(let items, _), .outOfWorkBenefit(let items), .indicator(let items, _):
            RulesEngine.list(items, conjunction: "or")
        case .courtOrder(let orders, _):
            RulesEngine.list(orders.map(\.words), conjunction: "or")
        default: ""
        }
    }

    /// Whose offence counts: "any member", or "a member under 18 at the time".
    static func offender(ageUnder: Int?) -> String {
        ageUnder.map { "a member under \($0) at the time" } ?? "any member"
    }

    static let inAlternativeProvision = "in a pupil referral unit or alternative provision"
    static let notOnRoll = "not on a school roll"

    /// "on an out-of-work benefit (JSA or ESA)".
    static func onOutOfWorkBenefit(_ benefits: String) -> String {
        "on an out-of-work benefit (\(benefits))"
    }

    /// "in custody due for release within 12 months".
    static func dueForRelease(withinMonths: Int) -> String {
        "in custody due for release within \(RulesEngine.count(withinMonths, "month"))"
    }

    /// "aged 16 to 24 not in education, employment or training".
    static func notInEducationEmploymentOrTraining(ageFrom: Int, ageUnder: Int) -> String {
        let ages = ageUnder - 1 > ageFrom ? "\(ageFrom) to \(ageUnder - 1)" : "\(ageFrom)"
        return "aged \(ages) not in education, employment or training"
    }
}

extension ResultMeasure {
    /// How the result is measured, in words.
    /// - Parameter criterionNames: the ruleset's criteria's names, by id.
    func words(criterionNames: [String: String]) -> String {
        switch self {
        case .crimeAndEducation(let measure):
            "each part that applies to the family: ASB across the family ("
                + RulesEngine.list(measure.asbInterventions, conjunction: "or") + ") down at least \(measure.asbReductionPercent), "
                + "and offending by members under \(measure.youthAgeUnder) down at least \(measure.offendingReductionPercent), "
                + "over the \(RulesEngine.count(measure.months, "month")) to the assessment against the "
                + "\(RulesEngine.count(measure.months, "month")) before attachment, with no other member starting; "
                + "and each child at school with fewer than \(RulesEngine.count(measure.fixedExclusionsBelow, "fixed-term exclusion")), "
                + "none permanent, and under \(measure.absenceBelowPercent) unauthorised absence "
                + "over the \(RulesEngine.count(measure.educationTerms, "complete term")) after attachment, "
                + (measure.educationPartAppliesTo == .everySchoolAgeChild
                    ? "in every family with a child at school" : "where the family had the education problem at attachment")
        case .progressToWork(let measure):
            "an adult out of work at attachment attached to " + RulesEngine.list(measure.provisions, conjunction: "or")
                + " since attachment, in \(RulesEngine.last(measure.months, "month"))"
        case .continuousEmployment(let measure):
            "an adult \(CriterionTest.onOutOfWorkBenefit(RulesEngine.list(measure.benefits, conjunction: "or"))) at attachment "
                + "in continuous work for \(RulesEngine.count(measure.weeks, "week")) since, off those benefits throughout"
        case .sustainedProgress(let measure):
            "every criterion the family met at attachment"
                + ((measure.ignoredCriteria ?? []).isEmpty
                    ? "" : " (apart from " + RulesEngine.list((measure.ignoredCriteria ?? []).map { criterionNames[$0] ?? $0 }) + ")")
                + " no longer met, \(RulesEngine.count(measure.months, "month")) or more after "
                + (measure.after == .caseClosure ? "the case closed" : "attachment")
        }
    }
}

extension PaymentSchedule {
    /// The schedule in words: a line for each financial year of attachment,
    /// then the results paid alone and the cap per family.
    /// - Parameter resultOrder: the ruleset's result ids, in the order to name their amounts.
    func words(resultOrder: [String]) -> [String] {
        var lines = years.map { year in
            let fee = year.attachmentFee == .zero ? "no attachment fee" : "attachment fee \(year.attachmentFee)"
            let amounts = (resultOrder + year.results.keys.filter { !resultOrder.contains($0) }.sorted())
                .compactMap { id in year.results[id].map { "\(id) \($0)" } }
            return "\(year.financialYear): \(fee); results pay at most \(year.resultsPayment) a family (\(amounts.joined(separator: ", ")))"
        }
        lines += exclusiveResults.map { "Result \($0) is paid alone: a family that achieves it is paid for no other result" }
        if let capPerFamily { lines.append("A family earns at most \(capPerFamily) in all, attachment fee and results together") }
        if withinAllocation == true {
            lines.append("Results are claimed for at most the authority's allocation of families in each financial year of claiming")
        }
        return lines
    }
}

extension RulesEngine {
    /// The eligibility rule in words, naming the criteria by `names`.
    static func describe(_ rule: EligibilityRule, names: [String: String]) -> String {
        switch rule {
        case .criterion(let id): names[id] ?? id
        case .all(let rules): "all of (" + rules.map { describe($0, names: names) }.joined(separator: ", ") + ")"
        case .any(let rules): "either " + rules.map { describe($0, names: names) }.joined(separator: " or ")
        case .atLeast(let count, let rules):
            "at least \(count) of (" + rules.map { describe($0, names: names) }.joined(separator: ", ") + ")"
        }
    }

    /// `a, b and c` (or `a, b or c`).
    static func list(_ items: [String], conjunction: String = "and") -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
    }

    /// "12 months", "1 month".
    static func count(_ number: Int, _ unit: String) -> String {
        "\(number) \(unit)\(number == 1 ? "" : "s")"
    }

    /// "the last 12 months", "the last month".
    static func last(_ number: Int, _ unit: String) -> String {
        number == 1 ? "the last \(unit)" : "the last \(number) \(unit)s"
    }
}
