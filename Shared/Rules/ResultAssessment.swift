import Vocabulary

/// A family's measures at attachment, against which results are judged.
/// Recorded with the attachment, so a later assessment uses the same numbers.
public struct Baseline: Sendable, Hashable, Codable {
    public var measuredOn: CalendarDate
    /// The criteria the family met on the attachment date.
    public var criteriaMet: [String]
    /// ASB interventions across the family in the months before attachment.
    public var asbInterventions: Int
    public var asbPeople: [String]
    /// Proven offences by under-age members in the months before attachment.
    public var youthOffences: Int
    public var youthOffenders: [String]
    /// Children who met an education test (exclusion, absence, not on roll, alternative provision).
    public var childrenWithEducationProblems: [String]
    /// Adults on out-of-work benefits on the attachment date.
    public var outOfWorkAdults: [String]
}

/// One result's state for a family: achieved, not yet, or not applicable,
/// with the measures behind it.
public struct ResultAssessment: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case achieved, notYet, notApplicable
    }

    public var resultID: String
    public var name: String
    public var status: Status
    public var findings: [Finding]
}

extension RulesEngine {
    /// Measures the family on its attachment date.
    public static func baseline(family: Family, evidence: Evidence, attachedOn: CalendarDate, ruleset: Ruleset) -> Baseline {
        let context = EvaluationContext(family: family, evidence: evidence, asOf: attachedOn, adultAge: ruleset.adultAge)
        let tests = ruleset.criteria.flatMap { zip($0.anyOf, $0.alternatives) }
        func people(meeting isWanted: (CriterionTest) -> Bool) -> [String] {
            let met = tests.filter { isWanted($0.0) }.flatMap { context.evaluate($0.0, alternatives: $0.1) }
            return Array(Set(met.filter(\.isMet).compactMap(\.personID))).sorted()
        }
        var baseline = Baseline(
            measuredOn: attachedOn,
            criteriaMet: ruleset.criteria.map(context.evaluate).filter(\.isMet).map(\.id),
            asbInterventions: 0, asbPeople: [], youthOffences: 0, youthOffenders: [],
            childrenWithEducationProblems: people {
                switch $0 {
                case .exclusions, .absence, .alternativeProvision, .notOnRoll: true
                default: false
                }
            },
            outOfWorkAdults: people {
                if case .outOfWorkBenefit = $0 { true } else { false }
            })
        for result in ruleset.results {
            guard case .crimeAndEducation(let measure) = result.measure else { continue }
            let asb = context.asbRecords(measure, endingOn: attachedOn)
            let offences = context.youthOffenceRecords(measure, endingOn: attachedOn)
            baseline.asbInterventions = asb.count
            baseline.asbPeople = Array(Set(asb.map(\.personID))).sorted()
            baseline.youthOffences = offences.count
            baseline.youthOffenders = Array(Set(offences.map(\.personID))).sorted()
            break
        }
        return baseline
    }

    /// Assesses every result of the ruleset on `asOf` against the baseline.
    /// - Parameter closedOn: the day the family's case closed; nil while it is open.
    public static func results(
        family: Family, baseline: Baseline, evidence: Evidence, attachedOn: CalendarDate, closedOn: CalendarDate?, asOf: CalendarDate,
        ruleset: Ruleset
    ) -> [ResultAssessment] {
        let context = EvaluationContext(family: family, evidence: evidence, asOf: asOf, adultAge: ruleset.adultAge)
        return ruleset.results.map { result in
            let (status, findings): (ResultAssessment.Status, [Finding])
            switch result.measure {
            case .crimeAndEducation(let measure):
                (status, findings) = context.assessCrimeAndEducation(measure, baseline: baseline, attachedOn: attachedOn)
            case .progressToWork(let measure):
                (status, findings) = context.assessProgressToWork(measure, baseline: baseline, attachedOn: attachedOn)
            case .continuousEmployment(let measure):
                (status, findings) = context.assessContinuousEmployment(measure, baseline: baseline, attachedOn: attachedOn)
            case .sustainedProgress(let measure):
                (status, findings) = context.assessSustainedProgress(
                    measure, baseline: baseline, attachedOn: attachedOn, closedOn: closedOn, ruleset: ruleset)
            }
            return ResultAssessment(resultID: result.id, name: result.name, status: status, findings: findings)
        }
    }
}

extension EvaluationContext {
    func asbRecords(_ measure: CrimeAndEducationMeasure, endingOn end: CalendarDate) -> [EvidenceRecord] {
        let start = end.adding(months: -measure.months)
        return records.filter { record in
            guard case .asbIntervention(let kind, let date) = record.fact else { return false }
            return measure.asbInterventions.contains(kind) && start < date && date <= end
        }
    }

    func youthOffenceRecords(_ measure: CrimeAndEducationMeasure, endingOn end: CalendarDate) -> [EvidenceRecord] {
        let start = end.adding(months: -measure.months)
        return records.filter { record in
            guard case .offence(let date, true) = record.fact, start < date, date <= end,
                let age = age(of: record.personID, on: date)
            else { return false }
            return age < measure.youthAgeUnder
        }
    }

    typealias Assessment = (ResultAssessment.Status, [Finding])

    func assessCrimeAndEducation(_ measure: CrimeAndEducationMeasure, baseline: Baseline, attachedOn: CalendarDate) -> Assessment {
        var findings: [Finding] = []
        var applying = 0
        var met = 0
        var waiting = false
        let measurableFrom = attachedOn.adding(months: measure.months)

        func reduction(
            part: String, before: Int, people: [String], records: [EvidenceRecord], needed: Percentage
        ) {
            applying += 1
            guard measurableFrom <= asOf else {
                waiting = true
                findings.append(Finding(
                    isMet: false, personID: nil, evidenceIDs: [],
                    text: "\(part): measurable from \(measurableFrom), \(measure.months) months after attachment"))
                return
            }
            let after = records.count
            let reached = after < before && needed.isReached(by: before - after, of: before)
            let starters = records.filter { !people.contains($0.personID) }
            let change =
                after < before ? "down \(Self.percent(before - after, of: before))" : "not down"
            var text =
                "\(part): \(after) in the \(measure.months) months to \(asOf) against \(before) in the "
                + "\(measure.months) months before attachment, \(change) (needs \(needed))"
            if let starter = starters.first {
                text += "; \(label(starter.personID)) started (\(starter.id)), so the part is not met"
            }
            let partMet = reached && starters.isEmpty
            if partMet { met += 1 }
            findings.append(Finding(isMet: partMet, personID: nil, evidenceIDs: records.map(\.id), text: text))
        }

        if baseline.asbInterventions > 0 {
            reduction(
                part: "ASB across the family", before: baseline.asbInterventions, people: baseline.asbPeople,
                records: asbRecords(measure, endingOn: asOf), needed: measure.asbReductionPercent)
        }
        if baseline.youthOffences > 0 {
            reduction(
                part: "Offending by under-\(measure.youthAgeUnder)s", before: baseline.youthOffences,
                people: baseline.youthOffenders, records: youthOffenceRecords(measure, endingOn: asOf),
                needed: measure.offendingReductionPercent)
        }
        let educationApplies =
            switch measure.educationPartAppliesTo ?? .familiesWithTheProblem {
            case .familiesWithTheProblem: !baseline.childrenWithEducationProblems.isEmpty
            // A family with no child at school finds the part neutral below.
            case .everySchoolAgeChild: family.members.contains { isChild($0.id) }
            }
        if educationApplies {
            let window = completedTerms(measure.educationTerms).filter { $0.start >= attachedOn }
            if window.count < measure.educationTerms {
                applying += 1
                waiting = true
                findings.append(Finding(
                    isMet: false, personID: nil, evidenceIDs: [],
                    text: "Education: \(window.count) of \(measure.educationTerms) complete terms since attachment"))
            } else {
                let education = educationPart(measure, terms: window)
                if let partMet = education.met {
                    applying += 1
                    if partMet { met += 1 }
                }
                findings += education.findings
            }
        }
        if applying == 0 {
            return (.notApplicable, findings + [Finding(isMet: false, personID: nil, evidenceIDs: [], text: "No part applies to the family")])
        }
        return (!waiting && met == applying ? .achieved : .notYet, findings)
    }

    /// Each child at school in the terms: fewer fixed-term exclusions than
    /// allowed, none permanent, absence under the threshold. `met` is nil
    /// when no child is left to measure (the part is neutral).
    private func educationPart(_ measure: CrimeAndEducationMeasure, terms: [SchoolTerm]) -> (met: Bool?, findings: [Finding]) {
        let termIDs = Set(terms.map(\.id))
        let termNames = terms.map(\.id).joined(separator: ", ")
        let first = terms.first!.start
        let last = terms.last!.end
        var byChild: [String: (possible: Int, absent: Int, fixed: [String], permanent: [String], ids: [String])] = [:]
        for record in records where isChild(record.personID) {
            switch record.fact {
            case .attendance(let term, let possible, let unauthorised, _) where termIDs.contains(term.id):
                byChild[record.personID, default: (0, 0, [], [], [])].possible += possible
                byChild[record.personID, default: (0, 0, [], [], [])].absent += unauthorised
                byChild[record.personID, default: (0, 0, [], [], [])].ids.append(record.id)
            case .exclusion(let permanent, let date) where first <= date && date <= last:
                if permanent {
                    byChild[record.personID, default: (0, 0, [], [], [])].permanent.append(record.id)
                } else {
                    byChild[record.personID, default: (0, 0, [], [], [])].fixed.append(record.id)
                }
            default: continue
            }
        }
        guard !byChild.isEmpty else {
            return (nil, [Finding(isMet: true, personID: nil, evidenceIDs: [], text: "Education: no child at school in terms \(termNames) (neutral)")])
        }
        var findings: [Finding] = []
        for child in byChild.keys.sorted() {
            let measures = byChild[child]!
            let absenceOK = measures.possible == 0 || !measure.absenceBelowPercent.isReached(by: measures.absent, of: measures.possible)
            let exclusionsOK = measures.permanent.isEmpty && measures.fixed.count < measure.fixedExclusionsBelow
            let absence = measures.possible == 0 ? "no attendance recorded" : "\(Self.percent(measures.absent, of: measures.possible)) unauthorised absence"
            findings.append(Finding(
                isMet: absenceOK && exclusionsOK, personID: child, evidenceIDs: measures.ids + measures.fixed + measures.permanent,
                text: "Education, \(label(child)): \(absence) (must be under \(measure.absenceBelowPercent)), "
                    + "\(measures.fixed.count) fixed-term exclusion\(measures.fixed.count == 1 ? "" : "s") (must be under \(measure.fixedExclusionsBelow))"
                    + (measures.permanent.isEmpty ? "" : ", permanently excluded") + " over terms \(termNames)"))
        }
        return (findings.allSatisfy(\.isMet), findings)
    }

    func assessProgressToWork(_ measure: ProgressToWorkMeasure, baseline: Baseline, attachedOn: CalendarDate) -> Assessment {
        guard !baseline.outOfWorkAdults.isEmpty else {
            return (.notApplicable, [Finding(isMet: false, personID: nil, evidenceIDs: [], text: "No adult was out of work at attachment")])
        }
        let since = max(attachedOn, asOf.adding(months: -measure.months))
        let findings = records.compactMap { record -> Finding? in
            guard case .workProvision(let provision, let date) = record.fact, measure.provisions.contains(provision),
                since <= date, date <= asOf, !isChild(record.personID)
            else { return nil }
            return Finding(
                isMet: true, personID: record.personID, evidenceIDs: [record.id],
                text: "\(label(record.personID)): attached to \(provision) on \(date) (\(record.id))")
        }
        guard findings.isEmpty else { return (.achieved, findings) }
        return (.notYet, [Finding(
            isMet: false, personID: nil, evidenceIDs: [],
            text: "No adult attached to \(measure.provisions.joined(separator: " or ")) since \(since)")])
    }

    func assessContinuousEmployment(
        _ measure: ContinuousEmploymentMeasure, baseline: Baseline, attachedOn: CalendarDate
    ) -> Assessment {
        guard !baseline.outOfWorkAdults.isEmpty else {
            return (.notApplicable, [Finding(isMet: false, personID: nil, evidenceIDs: [], text: "No adult was on out-of-work benefits at attachment")])
        }
        var findings: [Finding] = []
        for record in records where baseline.outOfWorkAdults.contains(record.personID) {
            guard case .employmentSpell(let from, let to) = record.fact else { continue }
            let start = max(from, attachedOn)
            let end = min(to ?? asOf, asOf)
            guard start <= end else { continue }
            let benefitDuringWork = records.first { other in
                guard other.personID == record.personID, case .benefitSpell(let benefit, let benefitFrom, let benefitTo) = other.fact
                else { return false }
                return measure.benefits.contains(benefit) && benefitFrom <= end && (benefitTo ?? asOf) >= start
            }
            let weeks = start.days(until: end) / 7
            var text =
                "\(label(record.personID)): \(weeks) week\(weeks == 1 ? "" : "s") of continuous employment from \(start) to \(end) "
                + "(\(record.id)); needs \(measure.weeks)"
            if let benefitDuringWork { text += ", but still on out-of-work benefits (\(benefitDuringWork.id))" }
            findings.append(Finding(
                isMet: benefitDuringWork == nil && start.days(until: end) >= measure.weeks * 7, personID: record.personID,
                evidenceIDs: [record.id] + (benefitDuringWork.map { [$0.id] } ?? []), text: text))
        }
        if findings.contains(where: \.isMet) { return (.achieved, findings) }
        if findings.isEmpty {
            findings.append(Finding(isMet: false, personID: nil, evidenceIDs: [], text: "No employment since attachment on \(attachedOn)"))
        }
        return (.notYet, findings)
    }

    func assessSustainedProgress(
        _ measure: SustainedProgressMeasure, baseline: Baseline, attachedOn: CalendarDate, closedOn: CalendarDate?, ruleset: Ruleset
    ) -> Assessment {
        let problems = baseline.criteriaMet.filter { !(measure.ignoredCriteria ?? []).contains($0) }
        guard !problems.isEmpty else {
            return (.notApplicable, [Finding(isMet: false, personID: nil, evidenceIDs: [], text: "The family had no problem at attachment")])
        }
        let start: (day: CalendarDate, name: String)
        switch measure.after ?? .attachment {
        case .attachment: start = (attachedOn, "attachment")
        case .caseClosure:
            guard let closedOn else {
                return (.notYet, [Finding(
                    isMet: false, personID: nil, evidenceIDs: [],
                    text: "Progress is measured \(RulesEngine.count(measure.months, "month")) after the case closes: it is open")])
            }
            start = (closedOn, "the case closed on \(closedOn)")
        }
        let measurableFrom = start.day.adding(months: measure.months)
        guard measurableFrom <= asOf else {
            return (.notYet, [Finding(
                isMet: false, personID: nil, evidenceIDs: [],
                text: "Progress is measured from \(measurableFrom), \(RulesEngine.count(measure.months, "month")) after \(start.name)")])
        }
        let findings = ruleset.criteria.filter { problems.contains($0.id) }.map { criterion -> Finding in
            let outcome = evaluate(criterion)
            let evidence = outcome.findings.filter(\.isMet)
            return Finding(
                isMet: !outcome.isMet, personID: nil, evidenceIDs: evidence.flatMap(\.evidenceIDs),
                text: outcome.isMet
                    ? "\(criterion.name): still met on \(asOf): \(evidence.map(\.text).joined(separator: "; "))"
                    : "\(criterion.name): met at attachment, no longer met on \(asOf)")
        }
        return (findings.allSatisfy(\.isMet) ? .achieved : .notYet, findings)
    }
}
