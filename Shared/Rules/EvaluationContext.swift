import Vocabulary

/// A family's evidence read from one date: ages, the terms just past, and
/// the tests of the criteria.
struct EvaluationContext {
    let family: Family
    let evidence: Evidence
    let asOf: CalendarDate
    let adultAge: Int
    /// Terms that ended on or before the date, oldest first.
    private let completed: [SchoolTerm]

    init(family: Family, evidence: Evidence, asOf: CalendarDate, adultAge: Int) {
        self.family = family
        self.evidence = evidence
        self.asOf = asOf
        self.adultAge = adultAge
        self.completed = evidence.terms.filter { $0.end <= asOf }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    func age(of personID: String, on date: CalendarDate) -> Int? {
        // A household has a handful of members: a scan beats hashing.
        family.members.first { $0.id == personID }?.dateOfBirth.age(on: date)
    }

    func isChild(_ personID: String) -> Bool {
        (age(of: personID, on: asOf) ?? adultAge) < adultAge
    }

    /// Who a person is on the date: a child, an adult, or someone not in the household.
    func subject(_ personID: String) -> Subject {
        guard let age = age(of: personID, on: asOf) else { return .member(personID) }
        return age < adultAge ? .child(personID) : .adult(personID)
    }

    /// "Child C2", "Adult A1"; "Member X9" for someone not in the household.
    func label(_ personID: String) -> String {
        subject(personID).label
    }

    /// The last `count` terms that ended on or before the date, oldest first.
    func completedTerms(_ count: Int) -> ArraySlice<SchoolTerm> {
        completed.suffix(count)
    }

    /// Records in family order of evidence, for the people of the household.
    var records: [EvidenceRecord] { evidence.records }

    func evaluate(_ criterion: Criterion) -> CriterionOutcome {
        var findings: [Finding] = []
        findings.reserveCapacity(criterion.anyOf.count + 2)
        for (test, alternatives) in zip(criterion.anyOf, criterion.alternatives) {
            for finding in evaluate(test, alternatives: alternatives) {
                // Tests over school terms say the same when there are none: once is enough.
                if case .noCompleteTerm = finding.detail, findings.contains(where: { $0.detail == finding.detail }) { continue }
                findings.append(finding)
            }
        }
        return CriterionOutcome(
            id: criterion.id, name: criterion.name, isMet: findings.contains(where: \.isMet), findings: findings)
    }

    /// - Parameter alternatives: the test's list of interventions, benefits
    ///   or indicators in words, as ``Criterion`` keeps it.
    func evaluate(_ test: CriterionTest, alternatives: String) -> [Finding] {
        switch test {
        case .provenOffence(let ageUnder, let lookbackMonths):
            let since = asOf.adding(months: -lookbackMonths)
            // No age limit: any member's offence counts.
            let ageLimit = ageUnder ?? .max
            let findings = records.compactMap { record -> Finding? in
                guard case .offence(let date, true) = record.fact, since <= date, date <= asOf,
                    let age = age(of: record.personID, on: date), age < ageLimit
                else { return nil }
                return met(
                    record,
                    .provenOffence(
                        subject(record.personID), date: date, age: age, recordID: record.id, lookbackMonths: lookbackMonths,
                        since: since))
            }
            return findings.isEmpty ? [none(.noProvenOffence(ageUnder: ageUnder, lookbackMonths: lookbackMonths, since: since))] : findings

        case .asbIntervention(let interventions, let lookbackMonths):
            let since = asOf.adding(months: -lookbackMonths)
            let findings = records.compactMap { record -> Finding? in
                guard case .asbIntervention(let kind, let date) = record.fact, interventions.contains(kind),
                    since <= date, date <= asOf
                else { return nil }
                return met(
                    record,
                    .asbIntervention(
                        subject(record.personID), kind: kind, date: date, recordID: record.id, lookbackMonths: lookbackMonths,
                        since: since))
            }
            return findings.isEmpty
                ? [none(.noneInLookback(alternatives: alternatives, lookbackMonths: lookbackMonths, since: since))] : findings

        case .exclusions(let fixedTermAtLeast, let terms):
            let window = completedTerms(terms)
            guard let first = window.first, let last = window.last else { return [none(.noCompleteTerm(before: asOf))] }
            let termNames = window.map(\.id)
            var children: [String] = []
            var exclusionsByChild: [[(id: String, date: CalendarDate, permanent: Bool)]] = []
            for record in records {
                guard case .exclusion(let permanent, let date) = record.fact, first.start <= date, date <= last.end else { continue }
                if let index = children.firstIndex(of: record.personID) {
                    exclusionsByChild[index].append((record.id, date, permanent))
                } else {
                    children.append(record.personID)
                    exclusionsByChild.append([(record.id, date, permanent)])
                }
            }
            let findings = zip(children, exclusionsByChild).sorted { $0.0 < $1.0 }.map { child, exclusions -> Finding in
                if let permanent = exclusions.first(where: \.permanent) {
                    return Finding(
                        isMet: true, personID: child, evidenceIDs: [permanent.id],
                        detail: .permanentExclusion(subject(child), date: permanent.date, recordID: permanent.id, terms: termNames))
                }
                let ids = exclusions.map(\.id)
                return Finding(
                    isMet: exclusions.count >= fixedTermAtLeast, personID: child, evidenceIDs: ids,
                    detail: .fixedTermExclusions(subject(child), recordIDs: ids, terms: termNames, threshold: fixedTermAtLeast))
            }
            return findings.isEmpty ? [none(.noExclusions(terms: termNames))] : findings

        case .alternativeProvision(let terms):
            return placements(terms: terms, what: CriterionTest.inAlternativeProvision) {
                if case .alternativeProvision(let date) = $0 { date } else { nil }
            }

        case .notOnRoll(let terms):
            return placements(terms: terms, what: CriterionTest.notOnRoll) {
                if case .notOnRoll(let date) = $0 { date } else { nil }
            }

        case .absence(let measure, let threshold, let terms, let label):
            let window = completedTerms(terms)
            guard !window.isEmpty else { return [none(.noCompleteTerm(before: asOf))] }
            let termIDs = window.map(\.id)
            var children: [String] = []
            var totals: [(possible: Int, absent: Int, terms: [String], ids: [String])] = []
            for record in records {
                guard case .attendance(let term, let possible, let unauthorised, let authorised) = record.fact,
                    termIDs.contains(term.id)
                else { continue }
                let absent = measure == .unauthorised ? unauthorised : unauthorised + authorised
                let index: Int
                if let known = children.firstIndex(of: record.personID) {
                    index = known
                } else {
                    children.append(record.personID)
                    totals.append((0, 0, [], []))
                    index = children.count - 1
                }
                totals[index].possible += possible
                totals[index].absent += absent
                totals[index].terms.append(term.id)
                totals[index].ids.append(record.id)
            }
            let findings = zip(children, totals).sorted { $0.0 < $1.0 }.compactMap { child, total -> Finding? in
                guard total.possible > 0 else { return nil }
                return Finding(
                    isMet: threshold.isReached(by: total.absent, of: total.possible), personID: child, evidenceIDs: total.ids,
                    detail: .absence(
                        subject(child), absent: total.absent, possible: total.possible, measure: measure,
                        terms: termIDs.filter(total.terms.contains), threshold: threshold, label: label))
            }
            return findings.isEmpty ? [none(.noAttendance(terms: termIDs))] : findings

        case .outOfWorkBenefit(let benefits):
            let findings = records.compactMap { record -> Finding? in
                guard case .benefitSpell(let benefit, let from, let to) = record.fact, benefits.contains(benefit),
                    from <= asOf, to.map({ $0 >= asOf }) ?? true, !isChild(record.personID)
                else { return nil }
                return met(record, .onBenefit(subject(record.personID), benefit: benefit, from: from, recordID: record.id))
            }
            return findings.isEmpty ? [none(.noBenefit(alternatives: alternatives, on: asOf))] : findings

        case .indicator(let indicators, let lookbackMonths):
            let since = asOf.adding(months: -lookbackMonths)
            let findings = records.compactMap { record -> Finding? in
                guard case .indicator(let name, let date) = record.fact, indicators.contains(name), since <= date, date <= asOf
                else { return nil }
                return met(record, .indicator(subject(record.personID), name: name, date: date, recordID: record.id))
            }
            return findings.isEmpty
                ? [none(.noneRecorded(alternatives: alternatives, lookbackMonths: lookbackMonths, since: since))] : findings

        case .dependentChild:
            let findings = family.members.compactMap { member -> Finding? in
                let age = member.dateOfBirth.age(on: asOf)
                guard age < adultAge else { return nil }
                return Finding(
                    isMet: true, personID: member.id, evidenceIDs: [], detail: .dependentChild(id: member.id, age: age, on: asOf))
            }
            return findings.isEmpty ? [none(.noDependentChild(adultAge: adultAge, on: asOf))] : findings

        case .custodyRelease(let withinMonths):
            let by = asOf.adding(months: withinMonths)
            let findings = records.compactMap { record -> Finding? in
                guard case .custody(let from, let release) = record.fact, from <= asOf, asOf < release, release <= by,
                    !isChild(record.personID)
                else { return nil }
                return met(record, .dueForRelease(subject(record.personID), from: from, release: release, recordID: record.id, by: by))
            }
            return findings.isEmpty ? [none(.noneDueForRelease(withinMonths: withinMonths, by: by))] : findings

        case .courtOrder(let orders, let lookbackMonths):
            let since = asOf.adding(months: -lookbackMonths)
            let findings = records.compactMap { record -> Finding? in
                guard case .courtOrder(let order, let from, let to) = record.fact, orders.contains(order), from <= asOf, since <= to
                else { return nil }
                return met(
                    record,
                    .courtOrder(
                        subject(record.personID), order: order, from: from, to: to, recordID: record.id, lookbackMonths: lookbackMonths,
                        since: since))
            }
            return findings.isEmpty
                ? [none(.noneInLookback(alternatives: alternatives, lookbackMonths: lookbackMonths, since: since))] : findings

        case .notInEducationEmploymentOrTraining(let ageFrom, let ageUnder):
            let findings = records.compactMap { record -> Finding? in
                guard case .notInEducationEmploymentOrTraining(let from, let to) = record.fact, from <= asOf,
                    to.map({ $0 >= asOf }) ?? true, let age = age(of: record.personID, on: asOf), ageFrom <= age, age < ageUnder
                else { return nil }
                return met(record, .notInEducationEmploymentOrTraining(subject(record.personID), age: age, from: from, recordID: record.id))
            }
            return findings.isEmpty ? [none(.noneNotInEducationEmploymentOrTraining(ageFrom: ageFrom, ageUnder: ageUnder, on: asOf))] : findings

        case .missingEducation(let lookbackMonths):
            let since = asOf.adding(months: -lookbackMonths)
            let findings = records.compactMap { record -> Finding? in
                guard case .missingEducation(let from, let to) = record.fact, from <= asOf, (to ?? asOf) >= since, isChild(record.personID)
                else { return nil }
                return met(record, .placement(subject(record.personID), what: "missing education", date: from, recordID: record.id))
            }
            return findings.isEmpty
                ? [none(.noneInLookback(alternatives: "child missing education", lookbackMonths: lookbackMonths, since: since))] : findings
        }
    }

    private func placements(
        terms: Int, what: String, date: (EvidenceFact) -> CalendarDate?
    ) -> [Finding] {
        let window = completedTerms(terms)
        guard let first = window.first else { return [none(.noCompleteTerm(before: asOf))] }
        let findings = records.compactMap { record -> Finding? in
            guard let placed = date(record.fact), first.start <= placed, placed <= asOf else { return nil }
            return met(record, .placement(subject(record.personID), what: what, date: placed, recordID: record.id))
        }
        return findings.isEmpty ? [none(.noPlacement(what: what, since: first.start))] : findings
    }

    private func met(_ record: EvidenceRecord, _ detail: FindingDetail) -> Finding {
        Finding(isMet: true, personID: record.personID, evidenceIDs: [record.id], detail: detail)
    }

    private func none(_ detail: FindingDetail) -> Finding {
        Finding(isMet: false, personID: nil, evidenceIDs: [], detail: detail)
    }

    /// `part / whole` as a percentage with one decimal, rounded down so that
    /// 14.96% never reads as 15.0%.
    static func percent(_ part: Int, of whole: Int) -> String {
        let tenths = part * 1000 / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
