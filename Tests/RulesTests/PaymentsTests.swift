import Rules
import Testing
import Vocabulary

@Suite struct PaymentsTests {
    @Test(arguments: [
        ("2012-06-01", Set(["A", "B"]), 3200_00, [700_00, 100_00], 4000_00),
        ("2013-03-31", Set(["C"]), 3200_00, [800_00], 4000_00),
        ("2013-04-01", Set(["C"]), 2400_00, [1600_00], 4000_00),
        ("2014-07-01", Set(["A"]), 1600_00, [2300_00], 3900_00),
        ("2014-07-01", Set<String>(), 1600_00, [], 1600_00),
    ])
    func amountsFollowTheFinancialYearOfAttachment(
        attached: String, achieved: Set<String>, fee: Int, results: [Int], total: Int
    ) throws {
        let breakdown = try RulesEngine.payments(
            for: PaymentBasis(attachedOn: date(attached), achievedResults: achieved), ruleset: try Fixture.phase1())
        #expect(breakdown.attachmentFee.pence == fee)
        #expect(breakdown.resultPayments.map(\.amount.pence) == results)
        #expect(breakdown.total.pence == total)
    }

    @Test func continuousEmploymentIsPaidAlone() throws {
        let breakdown = try RulesEngine.payments(
            for: PaymentBasis(attachedOn: date("2013-05-01"), achievedResults: ["A", "B", "C"]), ruleset: try Fixture.phase1())
        #expect(breakdown.resultPayments.map(\.resultID) == ["C"])
        #expect(breakdown.total == Money(pence: 4000_00))
    }

    @Test func resultsTogetherNeverExceedTheResultsPayment() throws {
        var ruleset = try Fixture.phase1()
        ruleset.payments.years[0].results["A"] = Money(pence: 750_00)
        let breakdown = try RulesEngine.payments(
            for: PaymentBasis(attachedOn: date("2012-06-01"), achievedResults: ["A", "B"]), ruleset: ruleset)
        #expect(breakdown.resultPayments.map(\.amount.pence) == [750_00, 50_00])
        #expect(breakdown.explanation.contains { $0.hasPrefix("Result B £50 (of £100") })
    }

    @Test func familyNeverEarnsMoreThanTheCap() throws {
        var ruleset = try Fixture.phase1()
        ruleset.payments.years[2].resultsPayment = Money(pence: 3000_00)
        ruleset.payments.years[2].results["C"] = Money(pence: 3000_00)
        let breakdown = try RulesEngine.payments(
            for: PaymentBasis(attachedOn: date("2014-07-01"), achievedResults: ["C"]), ruleset: ruleset)
        #expect(breakdown.resultPayments.map(\.amount.pence) == [2400_00])
        #expect(breakdown.total == Money(pence: 4000_00))
        #expect(breakdown.explanation.last == "Total £4,000 (at most £4,000 a family)")
    }

    @Test func attachmentOutsideTheScheduleIsAnError() throws {
        #expect(throws: PaymentScheduleError.self) {
            try RulesEngine.payments(for: PaymentBasis(attachedOn: date("2016-01-01"), achievedResults: ["A"]), ruleset: try Fixture.phase1())
        }
    }

    /// Phase 2 pays £1,000 on attachment and one £800 results payment, for
    /// sustained progress or continuous employment, never both.
    @Test(arguments: [Set(["progress"]), Set(["employment"]), Set(["progress", "employment"])])
    func phaseTwoPaysOneResultsPaymentOfEightHundredPounds(achieved: Set<String>) throws {
        let breakdown = try RulesEngine.payments(
            for: PaymentBasis(attachedOn: date("2016-05-01"), achievedResults: achieved), ruleset: try Ruleset.bundled("phase2-2015"))
        #expect(breakdown.attachmentFee == Money(pence: 1000_00))
        #expect(breakdown.resultPayments.reduce(0) { $0 + $1.amount.pence } == 800_00)
        #expect(breakdown.total == Money(pence: 1800_00))
    }
}
