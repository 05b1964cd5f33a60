import Vocabulary

extension Ruleset {
    /// Every problem with the ruleset's values, in the file's order, each by
    /// field: what the JSON's shape cannot say (ids used twice, references
    /// to criteria or results that are not there, counts below zero, empty
    /// lists, financial years misspelt).
    /// - Parameter file: the file's name, as each problem names it.
    func problems(file: String) -> [RulesetError] {
        var problems: [RulesetError] = []
        func add(_ field: String, _ problem: String) {
            problems.append(RulesetError(file: file, field: field, problem: problem))
        }
        if id.isEmpty { add("id", "must not be empty") }
        if version.isEmpty { add("version", "must not be empty") }
        if adultAge <= 0 { add("adultAge", "must be positive") }

        var criterionIDs = Set<String>()
        for (index, criterion) in criteria.enumerated() {
            let field = "criteria[\(index)]"
            if criterion.id.isEmpty {
                add(field + ".id", "must not be empty")
            } else if !criterionIDs.insert(criterion.id).inserted {
                add(field + ".id", "'\(criterion.id)' is used twice")
            }
            if criterion.anyOf.isEmpty { add(field + ".anyOf", "needs at least one test") }
            for (testIndex, test) in criterion.anyOf.enumerated() {
                for (key, problem) in test.problems { add("\(field).anyOf[\(testIndex)].\(key)", problem) }
            }
        }
        for (field, problem) in eligibility.problems(at: "eligibility", criteria: criterionIDs) { add(field, problem) }

        var resultIDs = Set<String>()
        for (index, result) in results.enumerated() {
            let field = "results[\(index)]"
            if result.id.isEmpty {
                add(field + ".id", "must not be empty")
            } else if !resultIDs.insert(result.id).inserted {
                add(field + ".id", "'\(result.id)' is used twice")
            }
            for (key, problem) in result.measure.problems(criteria: criterionIDs) { add("\(field).\(key)", problem) }
        }

        for (index, id) in payments.exclusiveResults.enumerated() where !resultIDs.contains(id) {
            add("payments.exclusiveResults[\(index)]", "refers to unknown result '\(id)'")
        }
        if payments.years.isEmpty { add("payments.years", "needs at least one financial year") }
        var financialYears = Set<String>()
        for (index, year) in payments.years.enumerated() {
            let field = "payments.years[\(index)]"
            if FinancialYear(year.financialYear) == nil {
                add(field + ".financialYear", "must be a financial year (\(FinancialYear.form))")
            } else if !financialYears.insert(year.financialYear).inserted {
                add(field + ".financialYear", "'\(year.financialYear)' is used twice")
            }
            for id in year.results.keys.sorted() where !resultIDs.contains(id) {
                add(field + ".results", "refers to unknown result '\(id)'")
            }
        }
        return problems
    }
}

/// A field's problems, by the field's path below the value that has them.
typealias FieldProblems = [(field: String, problem: String)]

/// The problems of numbers and lists, each named by its field.
private struct FieldChecks {
    var problems: FieldProblems = []

    mutating func notNegative(_ field: String, _ value: Int) {
        if value < 0 { problems.append((field, "must not be negative")) }
    }

    mutating func positive(_ field: String, _ value: Int) {
        if value <= 0 { problems.append((field, "must be positive")) }
    }

    mutating func percentage(_ field: String, _ value: Percentage) {
        if !value.isPercentage { problems.append((field, "must be a percentage from 0 to 100")) }
    }

    mutating func notEmpty(_ field: String, _ items: [some Any]) {
        if items.isEmpty { problems.append((field, "needs at least one")) }
    }
}

extension CriterionTest {
    /// What is wrong with the test's values, by field.
    var problems: FieldProblems {
        var checks = FieldChecks()
        switch self {
        case .provenOffence(let ageUnder, let lookbackMonths):
            if let ageUnder { checks.positive("ageUnder", ageUnder) }
            checks.notNegative("lookbackMonths", lookbackMonths)
        case .asbIntervention(let interventions, let lookbackMonths):
            checks.notEmpty("interventions", interventions)
            checks.notNegative("lookbackMonths", lookbackMonths)
        case .exclusions(let fixedTermAtLeast, let terms):
            checks.notNegative("fixedTermAtLeast", fixedTermAtLeast)
            checks.notNegative("terms", terms)
        case .alternativeProvision(let terms), .notOnRoll(let terms):
            checks.notNegative("terms", terms)
        case .absence(_, let thresholdPercent, let terms, _):
            checks.percentage("thresholdPercent", thresholdPercent)
            checks.notNegative("terms", terms)
        case .outOfWorkBenefit(let benefits):
            checks.notEmpty("benefits", benefits)
        case .indicator(let indicators, let lookbackMonths):
            checks.notEmpty("indicators", indicators)
            checks.notNegative("lookbackMonths", lookbackMonths)
        case .dependentChild:
            break
        case .custodyRelease(let withinMonths):
            if withinMonths <= 0 { checks.problems.append(("withinMonths", "must be more than 0: no release is due within 0 months")) }
        case .courtOrder(let orders, let lookbackMonths):
            checks.notEmpty("orders", orders)
            checks.notNegative("lookbackMonths", lookbackMonths)
        case .notInEducationEmploymentOrTraining(let ageFrom, let ageUnder):
            checks.notNegative("ageFrom", ageFrom)
            if ageUnder <= ageFrom { checks.problems.append(("ageUnder", "must be more than ageFrom (\(ageFrom))")) }
        case .missingEducation(let lookbackMonths):
            checks.notNegative("lookbackMonths", lookbackMonths)
        }
        return checks.problems
    }
}

extension EligibilityRule {
    /// What is wrong with the rule and the rules inside it, by their paths
    /// from `path` (`eligibility.any[1].all[0].criterion`).
    /// - Parameter criteria: the ids of the ruleset's criteria.
    func problems(at path: String, criteria: Set<String>) -> FieldProblems {
        func inner(_ rules: [EligibilityRule], _ key: String) -> FieldProblems {
            guard !rules.isEmpty else { return [("\(path).\(key)", "needs at least one rule")] }
            return rules.enumerated().flatMap { index, rule in rule.problems(at: "\(path).\(key)[\(index)]", criteria: criteria) }
        }
        switch self {
        case .criterion(let id):
            return criteria.contains(id) ? [] : [("\(path).criterion", "refers to unknown criterion '\(id)'")]
        case .all(let rules):
            return inner(rules, "all")
        case .any(let rules):
            return inner(rules, "any")
        case .atLeast(let count, let rules):
            var problems: FieldProblems = []
            if count < 0 {
                problems.append(("\(path).atLeast", "must not be negative"))
            } else if count > rules.count {
                problems.append(("\(path).atLeast", "is more than the \(rules.count) rules it counts, so it is never met"))
            }
            return problems + inner(rules, "of")
        }
    }
}

extension ResultMeasure {
    /// What is wrong with the measure's values, by field.
    /// - Parameter criteria: the ids of the ruleset's criteria.
    func problems(criteria: Set<String>) -> FieldProblems {
        var checks = FieldChecks()
        switch self {
        case .crimeAndEducation(let measure):
            checks.notNegative("months", measure.months)
            checks.notEmpty("asbInterventions", measure.asbInterventions)
            checks.percentage("asbReductionPercent", measure.asbReductionPercent)
            checks.positive("youthAgeUnder", measure.youthAgeUnder)
            checks.percentage("offendingReductionPercent", measure.offendingReductionPercent)
            checks.notNegative("educationTerms", measure.educationTerms)
            checks.notNegative("fixedExclusionsBelow", measure.fixedExclusionsBelow)
            checks.percentage("absenceBelowPercent", measure.absenceBelowPercent)
        case .progressToWork(let measure):
            checks.notEmpty("provisions", measure.provisions)
            checks.notNegative("months", measure.months)
        case .continuousEmployment(let measure):
            checks.notNegative("weeks", measure.weeks)
            checks.notEmpty("benefits", measure.benefits)
        case .sustainedProgress(let measure):
            checks.notNegative("months", measure.months)
            for (index, id) in (measure.ignoredCriteria ?? []).enumerated() where !criteria.contains(id) {
                checks.problems.append(("ignoredCriteria[\(index)]", "refers to unknown criterion '\(id)'"))
            }
        }
        return checks.problems
    }
}
