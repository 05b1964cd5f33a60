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

    /// "Child C2", "Adult A1"; "Member X9" for someone not in the household.
    func label(_ personID: String) -> String {
        guard let age = age(of: personID, on: asOf) else { return "Member \(personID)" }
        return (age < adultAge ? "Child " : "Adult ") + personID
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
            findings += evaluate(test, alternatives: alternatives)
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
            let findings = records.compactMap { record -> Finding? in
                guard case .offence(let date, true) = record.fact, since <= date, date <= asOf,
                    let age = age(of: record.personID, on: date), age < ageUnder
                else { return nil }
                return Finding(
                    isMet: true, personID: record.personID, evidenceIDs: [record.id],
                    text: "\(label(record.personID)): proven offence on \(date) at age \(age) (\(record.id)), "
                        + "within the \(lookbackMonths) months since \(since)")
            }
            return findings.isEmpty
                ? [none("No proven offence by a member under \(ageUnder) at the time in the \(lookbackMonths) months since \(since)")]
                : findings

        case .asbIntervention(let interventions, let lookbackMonths):
            let since = asOf.adding(months: -lookbackMonths)
            let findings = records.compactMap { record -> Finding? in
                guard case .asbIntervention(let kind, let date) = record.fact, interventions.contains(kind),
                    since <= date, date <= asOf
                else { return nil }
                return Finding(
                    isMet: true, personID: record.personID, evidenceIDs: [record.id],
                    text: "\(label(record.personID)): \(kind) on \(date) (\(record.id)), within the \(lookbackMonths) months since \(since)")
            }
            return findings.isEmpty
                ? [none("No \(alternatives) in the \(lookbackMonths) months since \(since)")]
                : findings

        case .exclusions(let fixedTermAtLeast, let terms):
            let window = completedTerms(terms)
            guard let first = window.first, let last = window.last else { return [noTerms()] }
            var exclusionsByChild: [String: [(id: String, date: CalendarDate, permanent: Bool)]] = [:]
            for record in records {
                guard case .exclusion(let permanent, let date) = record.fact, first.start <= date, date <= last.end else { continue }
                exclusionsByChild[record.personID, default: []].append((record.id, date, permanent))
            }
            let termNames = window.map(\.id).joined(separator: ", ")
            let findings = exclusionsByChild.keys.sorted().map { child -> Finding in
                let exclusions = exclusionsByChild[child]!
                if let permanent = exclusions.first(where: \.permanent) {
                    return Finding(
                        isMet: true, personID: child, evidenceIDs: [permanent.id],
                        text: "\(label(child)): permanently excluded on \(permanent.date) (\(permanent.id)), within terms \(termNames)")
                }
                let ids = exclusions.map(\.id)
                return Finding(
                    isMet: exclusions.count >= fixedTermAtLeast, personID: child, evidenceIDs: ids,
                    text: "\(label(child)): \(exclusions.count) fixed-term exclusion\(exclusions.count == 1 ? "" : "s") "
                        + "(\(ids.joined(separator: ", "))) over terms \(termNames) (threshold \(fixedTermAtLeast))")
            }
            return findings.isEmpty ? [none("No exclusions over terms \(termNames)")] : findings

        case .alternativeProvision(let terms):
            return placements(terms: terms, what: "in a pupil referral unit or alternative provision") {
                if case .alternativeProvision(let date) = $0 { date } else { nil }
            }

        case .notOnRoll(let terms):
            return placements(terms: terms, what: "not on a school roll") {
                if case .notOnRoll(let date) = $0 { date } else { nil }
            }

        case .absence(let measure, let threshold, let terms):
            let window = completedTerms(terms)
            guard !window.isEmpty else { return [noTerms()] }
            let termIDs = window.map(\.id)
            var totals: [String: (possible: Int, absent: Int, terms: [String], ids: [String])] = [:]
            for record in records {
                guard case .attendance(let termID, let possible, let unauthorised, let authorised) = record.fact,
                    termIDs.contains(termID)
                else { continue }
                let absent = measure == .unauthorised ? unauthorised : unauthorised + authorised
                var total = totals[record.personID] ?? (0, 0, [], [])
                total.possible += possible
                total.absent += absent
                total.terms.append(termID)
                total.ids.append(record.id)
                totals[record.personID] = total
            }
            let findings = totals.keys.sorted().compactMap { child -> Finding? in
                let total = totals[child]!
                guard total.possible > 0 else { return nil }
                let terms = window.map(\.id).filter(total.terms.contains).joined(separator: ", ")
                return Finding(
                    isMet: threshold.isReached(by: total.absent, of: total.possible), personID: child, evidenceIDs: total.ids,
                    text: "\(label(child)): \(Self.percent(total.absent, of: total.possible)) \(measure.rawValue) absence "
                        + "over terms \(terms) (threshold \(threshold))")
            }
            return findings.isEmpty ? [none("No attendance recorded for terms \(window.map(\.id).joined(separator: ", "))")] : findings

        case .outOfWorkBenefit(let benefits):
            let findings = records.compactMap { record -> Finding? in
                guard case .benefitSpell(let benefit, let from, let to) = record.fact, benefits.contains(benefit),
                    from <= asOf, to.map({ $0 >= asOf }) ?? true, !isChild(record.personID)
                else { return nil }
                return Finding(
                    isMet: true, personID: record.personID, evidenceIDs: [record.id],
                    text: "\(label(record.personID)): on \(benefit) since \(from) (\(record.id))")
            }
            return findings.isEmpty
                ? [none("No adult on an out-of-work benefit (\(alternatives)) on \(asOf)")]
                : findings

        case .indicator(let indicators, let lookbackMonths):
            let since = asOf.adding(months: -lookbackMonths)
            let findings = records.compactMap { record -> Finding? in
                guard case .indicator(let name, let date) = record.fact, indicators.contains(name), since <= date, date <= asOf
                else { return nil }
                return Finding(
                    isMet: true, personID: record.personID, evidenceIDs: [record.id],
                    text: "\(label(record.personID)): \(name) recorded on \(date) (\(record.id))")
            }
            return findings.isEmpty
                ? [none("No \(alternatives) recorded in the \(lookbackMonths) months since \(since)")]
                : findings

        case .dependentChild:
            let findings = family.members.compactMap { member -> Finding? in
                let age = member.dateOfBirth.age(on: asOf)
                guard age < adultAge else { return nil }
                return Finding(
                    isMet: true, personID: member.id, evidenceIDs: [], text: "Child \(member.id) is \(age) on \(asOf)")
            }
            return findings.isEmpty ? [none("No member under \(adultAge) on \(asOf)")] : findings
        }
    }

    private func placements(
        terms: Int, what: String, date: (EvidenceFact) -> CalendarDate?
    ) -> [Finding] {
        let window = completedTerms(terms)
        guard let first = window.first else { return [noTerms()] }
        let findings = records.compactMap { record -> Finding? in
            guard let placed = date(record.fact), first.start <= placed, placed <= asOf else { return nil }
            return Finding(
                isMet: true, personID: record.personID, evidenceIDs: [record.id],
                text: "\(label(record.personID)): \(what) from \(placed) (\(record.id))")
        }
        return findings.isEmpty ? [none("No child \(what) since \(first.start)")] : findings
    }

    private func none(_ text: String) -> Finding {
        Finding(isMet: false, personID: nil, evidenceIDs: [], text: text)
    }

    private func noTerms() -> Finding {
        none("No complete school term recorded before \(asOf)")
    }

    /// `part / whole` as a percentage with one decimal, rounded down so that
    /// 14.96% never reads as 15.0%.
    static func percent(_ part: Int, of whole: Int) -> String {
        let tenths = part * 1000 / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
