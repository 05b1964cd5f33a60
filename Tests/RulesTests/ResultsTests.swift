import Foundation
import Rules
import Testing
import Vocabulary

@Suite struct ResultsTests {
    static let attachedOn = date("2025-09-01")
    static let assessedOn = date("2026-09-01")

    /// `count` records made by `make`, dated a day apart, ending the day before `end`.
    static func series(_ count: Int, endingBefore end: CalendarDate, _ make: (Int, CalendarDate) -> EvidenceRecord) -> [EvidenceRecord] {
        (0..<count).map { make($0, end.adding(days: -(1 + $0))) }
    }

    static func asb(_ count: Int, by person: String = "A1", before end: CalendarDate, prefix: String) -> [EvidenceRecord] {
        series(count, endingBefore: end) { index, day in
            Fixture.record("\(prefix)-\(index)", person, .asbIntervention(type: "ASB incident", date: day))
        }
    }

    static func offences(_ count: Int, before end: CalendarDate, prefix: String) -> [EvidenceRecord] {
        series(count, endingBefore: end) { index, day in
            Fixture.record("\(prefix)-\(index)", "C1", .offence(date: day, proven: true))
        }
    }

    static func assess(
        _ records: [EvidenceRecord], asOf: CalendarDate = assessedOn, closedOn: CalendarDate? = nil, ruleset name: String = "phase1-2012"
    ) throws -> [String: ResultAssessment] {
        let ruleset = try Ruleset.bundled(name)
        let evidence = Fixture.evidence(records)
        let baseline = RulesEngine.baseline(family: Fixture.family, evidence: evidence, attachedOn: attachedOn, ruleset: ruleset)
        let results = RulesEngine.results(
            family: Fixture.family, baseline: baseline, evidence: evidence, attachedOn: attachedOn, closedOn: closedOn, asOf: asOf,
            ruleset: ruleset)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.resultID, $0) })
    }

    @Test(arguments: [(41, ResultAssessment.Status.notYet), (40, .achieved)])
    func asbMustFallBySixtyPercent(after: Int, status: ResultAssessment.Status) throws {
        let records = Self.asb(100, before: Self.attachedOn, prefix: "B") + Self.asb(after, before: Self.assessedOn, prefix: "O")
        let result = try Self.assess(records)["A"]!
        #expect(result.status == status)
        #expect(result.findings.first?.text.contains("\(after) in the 6 months to 2026-09-01 against 100") == true)
    }

    @Test(arguments: [(68, ResultAssessment.Status.notYet), (67, .achieved)])
    func youthOffendingMustFallByThirtyThreePercent(after: Int, status: ResultAssessment.Status) throws {
        let records = Self.offences(100, before: Self.attachedOn, prefix: "B") + Self.offences(after, before: Self.assessedOn, prefix: "O")
        #expect(try Self.assess(records)["A"]!.status == status)
    }

    @Test func newMemberStartingTheSameProblemFailsThePart() throws {
        let records = Self.asb(10, before: Self.attachedOn, prefix: "B") + Self.asb(1, by: "A2", before: Self.assessedOn, prefix: "N")
        let result = try Self.assess(records)["A"]!
        #expect(result.status == .notYet)
        #expect(result.findings.first?.text.contains("Adult A2 started (N-0), so the part is not met") == true)
    }

    @Test func educationPartWithNoChildAtSchoolIsNeutral() throws {
        let before = Fixture.attendance("C2", unauthorised: 300, terms: ["2024-AU", "2025-SP", "2025-SU"])
        let records = before + Self.asb(10, before: Self.attachedOn, prefix: "B")
        let result = try Self.assess(records)["A"]!
        #expect(result.status == .achieved)
        #expect(result.findings.contains { $0.text.contains("(neutral)") })
    }

    @Test func educationPartNeedsEachChildBelowTheThresholds() throws {
        let before = Fixture.attendance("C2", unauthorised: 300, terms: ["2024-AU", "2025-SP", "2025-SU"])
        let improved = try Self.assess(before + Fixture.attendance("C2", unauthorised: 149))["A"]!
        let unchanged = try Self.assess(before + Fixture.attendance("C2", unauthorised: 150))["A"]!
        #expect(improved.status == .achieved)
        #expect(unchanged.status == .notYet)
    }

    /// Phase 1's "where relevant": by default the education part applies only
    /// where the family had the education problem at entry; a ruleset may
    /// read it as every family with a child at school.
    @Test func theEducationPartAppliesWhereRelevantOrToEveryChildAtSchoolAsTheRulesetSays() throws {
        // ASB down by 90%, no education problem at entry, a child absent 20% since.
        let records = Self.asb(10, before: Self.attachedOn, prefix: "B") + Fixture.attendance("C2", unauthorised: 200)
        let whereRelevant = try Self.assess(records)["A"]!
        #expect(whereRelevant.status == .achieved)
        #expect(!whereRelevant.findings.contains { $0.text.hasPrefix("Education") })

        let shipped = try Fixture.phase1()
        var everyChild = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(shipped)) as? [String: Any])
        var results = try #require(everyChild["results"] as? [[String: Any]])
        #expect(results[0]["kind"] as? String == "crimeAndEducation")
        results[0]["educationPartAppliesTo"] = "everySchoolAgeChild"
        everyChild["results"] = results
        let ruleset = try Ruleset.decode(Array(try JSONSerialization.data(withJSONObject: everyChild)), file: "every-child.json")
        let evidence = Fixture.evidence(records)
        let baseline = RulesEngine.baseline(family: Fixture.family, evidence: evidence, attachedOn: Self.attachedOn, ruleset: ruleset)
        let assessed = RulesEngine.results(
            family: Fixture.family, baseline: baseline, evidence: evidence, attachedOn: Self.attachedOn, closedOn: nil, asOf: Self.assessedOn,
            ruleset: ruleset)
        let result = try #require(assessed.first { $0.resultID == "A" })
        #expect(result.status == .notYet)
        #expect(result.findings.contains { $0.text.contains("Education, Child C2: 20.0% unauthorised absence") }, "\(result.findings.map(\.text))")
        #expect(ruleset.inWords.results.first?.measure.hasSuffix("in every family with a child at school") == true)
        #expect(shipped.inWords.results.first?.measure.hasSuffix("where the family had the education problem at attachment") == true)
    }

    @Test func resultIsNotYetMeasurableBeforeSixMonths() throws {
        let records = Self.asb(10, before: Self.attachedOn, prefix: "B")
        #expect(try Self.assess(records, asOf: date("2026-02-28"))["A"]!.status == .notYet)
        #expect(try Self.assess(records, asOf: date("2026-03-01"))["A"]!.status == .achieved)
    }

    @Test func resultsWithNothingToMeasureAreNotApplicable() throws {
        let results = try Self.assess([])
        #expect(results["A"]!.status == .notApplicable)
        #expect(results["B"]!.status == .notApplicable)
        #expect(results["C"]!.status == .notApplicable)
    }

    @Test(arguments: [(84, ResultAssessment.Status.notYet), (91, .achieved)])
    func continuousEmploymentNeedsThirteenWeeks(days: Int, status: ResultAssessment.Status) throws {
        let start = date("2026-03-02")
        let records = [
            Fixture.onJSA("A1", from: "2024-01-01", to: "2026-03-01"),
            Fixture.record("EMP-1", "A1", .employmentSpell(from: start, to: nil)),
        ]
        let result = try Self.assess(records, asOf: start.adding(days: days))["C"]!
        #expect(result.status == status)
        #expect(result.findings.first?.text.contains("\(days / 7) weeks of continuous employment") == true)
    }

    @Test func workWhileStillOnBenefitsIsNotContinuousEmployment() throws {
        let records = [Fixture.onJSA("A1"), Fixture.record("EMP-1", "A1", .employmentSpell(from: date("2026-01-05"), to: nil))]
        #expect(try Self.assess(records)["C"]!.status == .notYet)
    }

    @Test func workProgrammeAttachmentIsProgressToWork() throws {
        let records = [Fixture.onJSA("A1"), Fixture.record("WP-1", "A1", .workProvision(provision: "Work Programme", date: date("2026-05-01")))]
        #expect(try Self.assess(records)["B"]!.status == .achieved)
        #expect(try Self.assess([Fixture.onJSA("A1")])["B"]!.status == .notYet)
    }

    @Test func supportingFamiliesNeedsEveryNeedResolved() throws {
        let needs = [
            Fixture.record("IND-1", "A2", .indicator(name: "domestic abuse", date: date("2025-06-01"))),
            Fixture.record("IND-2", "A1", .indicator(name: "problem debt", date: date("2025-06-01"))),
        ]
        let closedOn = date("2026-01-15")
        let resolved = try Self.assess(needs, closedOn: closedOn, ruleset: "supporting-families-2022")["sustained-outcomes"]!
        let recurring = needs + [Fixture.record("IND-3", "A2", .indicator(name: "domestic abuse", date: date("2026-06-01")))]
        let unresolved = try Self.assess(recurring, closedOn: closedOn, ruleset: "supporting-families-2022")["sustained-outcomes"]!
        #expect(resolved.status == .achieved)
        #expect(resolved.findings.count == 2)
        #expect(unresolved.status == .notYet)
    }

    /// Supporting Families pays for outcomes sustained six months after the
    /// case closed: nothing while it is open, nothing the day before.
    @Test(arguments: [
        (nil, ResultAssessment.Status.notYet, "Progress is measured 6 months after the case closes: it is open"),
        ("2026-03-02", .notYet, "Progress is measured from 2026-09-02, 6 months after the case closed on 2026-03-02"),
        ("2026-03-01", .achieved, "Safe from domestic abuse: met at attachment, no longer met on 2026-09-01"),
    ])
    func supportingFamiliesMeasuresSixMonthsAfterTheCaseClosed(closedOn: String?, status: ResultAssessment.Status, finding: String) throws {
        let needs = [
            Fixture.record("IND-1", "A2", .indicator(name: "domestic abuse", date: date("2025-06-01"))),
            Fixture.record("IND-2", "A1", .indicator(name: "problem debt", date: date("2025-06-01"))),
        ]
        let result = try Self.assess(needs, closedOn: closedOn.map(date), ruleset: "supporting-families-2022")["sustained-outcomes"]!
        #expect(result.status == status)
        #expect(result.findings.contains { $0.text.hasPrefix(finding) }, "\(result.findings.map(\.text))")
        // Phase 2 measures from attachment: the closure changes nothing there.
        let phase2 = [Fixture.record("OFF-1", "A1", .offence(date: date("2025-06-01"), proven: true))]
        #expect(try Self.assess(phase2, closedOn: closedOn.map(date), ruleset: "phase2-2015")["progress"]!.status == .achieved)
    }

    /// Supporting Families has no continuous-employment route (from October
    /// 2022): a year in work earns nothing while another need remains.
    @Test func supportingFamiliesHasNoContinuousEmploymentRoute() throws {
        let records = [
            Fixture.record("EMP-1", "A1", .employmentSpell(from: date("2025-09-08"), to: nil)),
            Fixture.record("IND-1", "A2", .indicator(name: "domestic abuse", date: date("2025-06-01"))),
            Fixture.record("IND-2", "A2", .indicator(name: "domestic abuse", date: date("2026-06-01"))),
        ]
        let results = try Self.assess(records, closedOn: date("2026-01-15"), ruleset: "supporting-families-2022")
        #expect(Array(results.keys) == ["sustained-outcomes"])
        #expect(results["sustained-outcomes"]?.status == .notYet)
        #expect(try Self.assess(records, closedOn: date("2026-01-15"), ruleset: "phase2-2015")["employment"] != nil)
    }
}
