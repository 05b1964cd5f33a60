import Rules
import Testing
import Vocabulary

/// The rules in words, as `turnaround rulesets show` prints them and as the
/// findings `turnaround explain` prints say them.
@Suite struct RulesetWordsTests {
    @Test(arguments: [
        (CriterionTest.provenOffence(ageUnder: nil, lookbackMonths: 12), "a proven offence by any member in the last 12 months"),
        (.provenOffence(ageUnder: 18, lookbackMonths: 12), "a proven offence by a member under 18 at the time in the last 12 months"),
        (.asbIntervention(interventions: ["ASBO", "ABC"], lookbackMonths: 6), "an ASB intervention (ASBO or ABC) against any member in the last 6 months"),
        (.exclusions(fixedTermAtLeast: 3, terms: 3), "a child permanently excluded, or with 3 or more fixed-term exclusions, over the last 3 terms"),
        (.exclusions(fixedTermAtLeast: 1, terms: 1), "a child permanently excluded, or with a fixed-term exclusion, over the last term"),
        (.alternativeProvision(terms: 3), "a child placed in a pupil referral unit or alternative provision in the last 3 terms"),
        (.notOnRoll(terms: 3), "a child recorded not on a school roll in the last 3 terms"),
        (
            .absence(measure: .overall, thresholdPercent: Percentage(basisPoints: 1000), terms: 3, label: "persistent absence"),
            "overall absence of 10% or more of possible sessions over the last 3 terms (persistent absence)"
        ),
        (
            .absence(measure: .unauthorised, thresholdPercent: Percentage(basisPoints: 1500), terms: 3, label: nil),
            "unauthorised absence of 15% or more of possible sessions over the last 3 terms"
        ),
        (
            .outOfWorkBenefit(benefits: ["JSA", "ESA", "Income Support"]),
            "an adult on an out-of-work benefit (JSA, ESA or Income Support) on the day of the decision"
        ),
        (.indicator(indicators: ["domestic abuse"], lookbackMonths: 1), "domestic abuse recorded for any member in the last month"),
        (.dependentChild, "a member under 18 (a dependent child) on the day of the decision"),
        (.custodyRelease(withinMonths: 12), "an adult in custody due for release within 12 months"),
        (
            .courtOrder(orders: [.licence, .communityOrder, .suspendedSentence], lookbackMonths: 12),
            "a licence, community order or suspended sentence in force in the last 12 months"
        ),
        (.notInEducationEmploymentOrTraining(ageFrom: 16, ageUnder: 25), "a member aged 16 to 24 not in education, employment or training"),
        (.missingEducation(lookbackMonths: 12), "a child missing education in the last 12 months"),
    ])
    func eachKindOfTestIsSaidInWords(test: CriterionTest, words: String) {
        #expect(test.words(adultAge: 18) == words)
    }

    @Test func phaseTwoInWordsNamesEachCriterionWithItsSourceAndTestsTheRuleResultsAndPayments() throws {
        let words = try Ruleset.bundled("phase2-2015").inWords
        #expect(words.title == "phase2-2015 v1.2.0: Troubled Families phase 2 (2015-21)")
        let crime = try #require(words.criteria.first)
        #expect(crime.name == "Crime / anti-social behaviour")
        #expect(crime.source?.hasPrefix("Financial Framework for the Expanded Troubled Families Programme (DCLG, 2015), headline problem 1") == true)
        #expect(
            crime.tests == [
                "a proven offence by any member in the last 12 months",
                "an ASB intervention (ASBO, ASB injunction, ABC, housing ASB intervention or criminal behaviour order) against any member "
                    + "in the last 12 months",
                "an adult in custody due for release within 12 months",
                "a licence, community order or suspended sentence in force in the last 12 months",
            ])
        #expect(words.eligibility.hasPrefix("Eligible: at least 2 of (Crime / anti-social behaviour, Children not attending school regularly"))
        #expect(words.results.map(\.id) == ["progress", "employment"])
        #expect(words.results[0].measure == "every criterion the family met at attachment no longer met, 6 months or more after attachment")
        #expect(words.payments.first == "2015/16: attachment fee £1,000; results pay at most £800 a family (progress £800, employment £800)")
        #expect(words.payments.count == 6)
        for line in [
            "Crime / anti-social behaviour (crime)", "  source: Financial Framework", "  - a proven offence by any member in the last 12 months",
            "  - overall absence of 10% or more of possible sessions over the last 3 terms",
            "  - a member aged 16 to 24 not in education, employment or training", words.eligibility,
            "  Continuous employment (employment): an adult on an out-of-work benefit (JSA, ESA, Incapacity Benefit, Income Support or "
                + "Universal Credit (searching for work)) at attachment in continuous work for 26 weeks since",
            "  2020/21: attachment fee £1,000",
        ] {
            #expect(words.text.contains("\n" + line), "\(line)\n\(words.text)")
        }
    }

    @Test func phaseOnePaymentsSayTheFeeEachResultWhatIsPaidAloneAndTheCap() throws {
        let payments = try Ruleset.bundled("phase1-2012").inWords.payments
        #expect(
            payments == [
                "2012/13: attachment fee £3,200; results pay at most £800 a family (A £700, B £100, C £800)",
                "2013/14: attachment fee £2,400; results pay at most £1,600 a family (A £1,500, B £100, C £1,600)",
                "2014/15: attachment fee £1,600; results pay at most £2,400 a family (A £2,300, B £100, C £2,400)",
                "Result C is paid alone: a family that achieves it is paid for no other result",
                "A family earns at most £4,000 in all, attachment fee and results together",
            ])
    }

    @Test func supportingFamiliesResultSaysWhichCriterionIsNoProblemToResolve() throws {
        let words = try Ruleset.bundled("supporting-families-2022").inWords
        #expect(
            words.results.first?.measure
                == "every criterion the family met at attachment (apart from Dependent children or an expectant parent) no longer met, "
                + "6 months or more after the case closed")
        #expect(words.payments.first == "2022/23: no attachment fee; results pay at most £800 a family (sustained-outcomes £800)")
        #expect(words.payments.last == "Results are claimed for at most the authority's allocation of families in each financial year of claiming")
        #expect(words.body.contains("    source: Supporting Families Programme Guidance 2022-25 (DLUHC, 2022), results:"))
    }

    /// A test not met says what it looked for as `rulesets show` says the test.
    @Test func explainSaysATestNotMetInTheWordsShowUses() throws {
        let ruleset = try Ruleset.bundled("phase2-2015")
        let decision = RulesEngine.eligibility(
            family: Fixture.family, evidence: Fixture.evidence([]), asOf: Fixture.decisionDate, ruleset: ruleset)
        let crime = decision.criterion("crime").findings.map(\.text)
        #expect(crime.contains("No proven offence by any member in the 12 months since 2025-09-01"), "\(crime)")
        #expect(crime.contains("No adult in custody due for release within 12 months (by 2027-09-01)"), "\(crime)")
        let shown = ruleset.inWords.criteria.flatMap(\.tests)
        #expect(shown.contains("a proven offence by any member in the last 12 months"))
        #expect(shown.contains("an adult in custody due for release within 12 months"))
        let worklessness = decision.criterion("worklessness").findings.map(\.text)
        #expect(worklessness.contains("No member aged 16 to 24 not in education, employment or training on 2026-09-01"), "\(worklessness)")
        #expect(shown.contains("a member aged 16 to 24 not in education, employment or training"))
    }
}
