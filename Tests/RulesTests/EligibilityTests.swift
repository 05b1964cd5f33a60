import Foundation
import Rules
import Testing

@Suite struct EligibilityTests {
    @Test(arguments: [(149, false), (150, true)])
    func unauthorisedAbsenceThresholdIsFifteenPercent(unauthorised: Int, met: Bool) throws {
        let decision = try Fixture.decide(Fixture.attendance("C2", unauthorised: unauthorised))
        let education = decision.criterion("education")
        #expect(education.isMet == met)
        let percent = met ? "15.0%" : "14.9%"
        #expect(education.findings.map(\.text).contains(
            "Child C2: \(percent) unauthorised absence over terms 2025-AU, 2026-SP, 2026-SU (threshold 15%)"))
    }

    @Test(arguments: [("2025-09-01", true), ("2025-08-31", false)])
    func offenceCountsWithinTwelveMonthsOfTheDecision(offenceDate: String, met: Bool) throws {
        let decision = try Fixture.decide([Fixture.record("OFF-1", "C1", .offence(date: date(offenceDate), proven: true))])
        #expect(decision.criterion("crime").isMet == met)
    }

    @Test(arguments: [("2026-01-10", true), ("2026-03-05", false)])
    func ageAtTheOffenceCountsNotAgeAtTheDecision(offenceDate: String, met: Bool) throws {
        // C3 turns 18 on 2026-03-01, before the decision date.
        let decision = try Fixture.decide([Fixture.record("OFF-1", "C3", .offence(date: date(offenceDate), proven: true))])
        #expect(decision.criterion("crime").isMet == met)
    }

    @Test func unprovenOffenceDoesNotCount() throws {
        let decision = try Fixture.decide([Fixture.record("OFF-1", "C1", .offence(date: date("2026-05-01"), proven: false))])
        #expect(!decision.criterion("crime").isMet)
    }

    @Test(arguments: [(2, false), (3, true)])
    func threeFixedTermExclusionsInThreeTermsMeetEducation(exclusions: Int, met: Bool) throws {
        let dates = ["2025-10-01", "2026-02-02", "2026-05-05"].prefix(exclusions)
        let records = dates.enumerated().map { Fixture.record("EX-\($0.offset + 1)", "C1", .exclusion(permanent: false, date: date($0.element))) }
        let decision = try Fixture.decide(records)
        #expect(decision.criterion("education").isMet == met)
        #expect(decision.criterion("education").findings.first?.text.contains("threshold 3") == true)
    }

    @Test func oneAdultOnOutOfWorkBenefitMeetsWork() throws {
        #expect(try Fixture.decide([Fixture.onJSA("A1")]).criterion("work").isMet)
        #expect(!(try Fixture.decide([Fixture.onJSA("A1", to: "2026-08-31")]).criterion("work").isMet))
    }

    static let crime = Fixture.record("OFF-1", "C1", .offence(date: date("2026-05-01"), proven: true))
    static let education = Fixture.attendance("C2", unauthorised: 200)
    static let work = Fixture.onJSA("A1")
    static let local = Fixture.record("IND-1", "C2", .indicator(name: "child protection plan", date: date("2026-02-01")))

    @Test(arguments: [
        ("crime, education and work", [crime, work] + education, true),
        ("two of three plus local discretion", [crime, work, local], true),
        ("two of three without local discretion", [crime, work], false),
        ("one of three plus local discretion", [work, local], false),
        ("nothing", [], false),
    ])
    func phaseOneNeedsAllThreeOrTwoPlusLocalDiscretion(_ label: String, records: [EvidenceRecord], eligible: Bool) throws {
        let decision = try Fixture.decide(records)
        #expect(decision.isEligible == eligible, "\(label)")
    }

    @Test func decisionRecordsRulesetAndExplainsItself() throws {
        let ruleset = try Fixture.phase1()
        let decision = try Fixture.decide([Self.crime, Self.work, Self.local])
        #expect(decision.rulesetID == "phase1-2012")
        #expect(decision.rulesetVersion == "1.0.0")
        #expect(decision.rulesetHash == ruleset.contentHash)
        #expect(decision.metCriteria == ["crime", "work", "local"])
        #expect(decision.summary.hasPrefix("Eligible: meets Crime / anti-social behaviour, Work and Local discretion; the rule is either"))
        #expect(decision.criterion("crime").findings.map(\.text) == [
            "Child C1: proven offence on 2026-05-01 at age 15 (OFF-1), within the 12 months since 2025-09-01",
            "No ASBO, ASB injunction, ABC or housing ASB intervention in the 12 months since 2025-09-01",
        ])
        #expect(decision.criterion("crime").findings.first?.evidenceIDs == ["OFF-1"])
    }

    @Test func sameInputsGiveTheSameDecisionByteForByte() throws {
        let records = [Self.crime, Self.work, Self.local] + Self.education
        #expect(try Fixture.decide(records) == Fixture.decide(records))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let calendarShuffled = Evidence(records: records, terms: Fixture.terms.reversed())
        let fromShuffled = RulesEngine.eligibility(
            family: Fixture.family, evidence: calendarShuffled, asOf: Fixture.decisionDate, ruleset: try Fixture.phase1())
        #expect(try encoder.encode(Fixture.decide(records)) == encoder.encode(fromShuffled))
    }

    @Test func phaseTwoNeedsTwoOfSixProblems() throws {
        let ruleset = try Ruleset.bundled("phase2-2015")
        let abuse = Fixture.record("IND-2", "A2", .indicator(name: "domestic abuse", date: date("2026-03-01")))
        let one = RulesEngine.eligibility(family: Fixture.family, evidence: Fixture.evidence([abuse]), asOf: Fixture.decisionDate, ruleset: ruleset)
        let two = RulesEngine.eligibility(
            family: Fixture.family, evidence: Fixture.evidence([abuse, Self.work]), asOf: Fixture.decisionDate, ruleset: ruleset)
        #expect(!one.isEligible)
        #expect(two.isEligible)
    }

    @Test func supportingFamiliesNeedsDependantsAndThreeNeeds() throws {
        let ruleset = try Ruleset.bundled("supporting-families-2022")
        let needs = [
            Fixture.record("IND-1", "A2", .indicator(name: "domestic abuse", date: date("2026-03-01"))),
            Fixture.record("IND-2", "A1", .indicator(name: "problem debt", date: date("2026-03-01"))),
            Fixture.record("IND-3", "C1", .indicator(name: "mental health", date: date("2026-03-01"))),
        ]
        let withChildren = RulesEngine.eligibility(
            family: Fixture.family, evidence: Fixture.evidence(needs), asOf: Fixture.decisionDate, ruleset: ruleset)
        let adultsOnly = Family(id: "F-2", members: Array(Fixture.family.members.prefix(2)))
        let withoutChildren = RulesEngine.eligibility(
            family: adultsOnly, evidence: Fixture.evidence(needs), asOf: Fixture.decisionDate, ruleset: ruleset)
        let twoNeeds = RulesEngine.eligibility(
            family: Fixture.family, evidence: Fixture.evidence(Array(needs.prefix(2))), asOf: Fixture.decisionDate, ruleset: ruleset)
        #expect(withChildren.isEligible)
        #expect(!withoutChildren.isEligible)
        #expect(!twoNeeds.isEligible)
    }
}
