import Foundation
@testable import Rules
import Testing
import Vocabulary

@Suite struct CalendarDateTests {
    @Test(arguments: ["1970-01-01", "2000-02-29", "2012-04-01", "2026-12-31", "1899-07-15"])
    func isoTextRoundTrips(text: String) {
        #expect(CalendarDate(iso: text)?.description == text)
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "26-01-01", "2026-1-01", "yesterday"])
    func impossibleDatesAreRejected(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func addingMonthsClampsToTheMonthsLastDay() {
        #expect(date("2026-03-31").adding(months: -1) == date("2026-02-28"))
        #expect(date("2024-03-31").adding(months: -1) == date("2024-02-29"))
        #expect(date("2026-09-01").adding(months: -12) == date("2025-09-01"))
        #expect(date("2025-11-15").adding(months: 3) == date("2026-02-15"))
    }

    @Test func ageCountsWholeYearsFromTheBirthday() {
        #expect(date("2008-03-01").age(on: date("2026-02-28")) == 17)
        #expect(date("2008-03-01").age(on: date("2026-03-01")) == 18)
    }

    @Test func financialYearRunsAprilToMarch() {
        #expect(date("2013-03-31").financialYear == "2012/13")
        #expect(date("2013-04-01").financialYear == "2013/14")
        #expect(date("2009-06-01").financialYear == "2009/10")
    }

    @Test func anInstantFallsOnItsLondonDateInSummerAndWinter() throws {
        func instant(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }
        // British Summer Time: 23:30 UTC is already the next day in London.
        #expect(CalendarDate(try instant("2013-06-30T23:30:00Z")) == date("2013-07-01"))
        #expect(CalendarDate(try instant("2013-06-30T22:59:59Z")) == date("2013-06-30"))
        // Winter: London is on UTC.
        #expect(CalendarDate(try instant("2013-12-31T23:30:00Z")) == date("2013-12-31"))
        #expect(CalendarDate(try instant("2014-01-01T00:00:00Z")) == date("2014-01-01"))
        // Before 1970 too.
        #expect(CalendarDate(try instant("1969-12-31T12:00:00Z")) == date("1969-12-31"))
    }
}

@Suite struct ClaimWindowTests {
    @Test func aWindowIsAQuarterOfTheFinancialYearStartingInApril() {
        #expect(ClaimWindow(containing: CalendarDate(iso: "2014-04-01")!).description == "2014/15 Q1")
        #expect(ClaimWindow(containing: CalendarDate(iso: "2014-12-31")!).description == "2014/15 Q3")
        #expect(ClaimWindow(containing: CalendarDate(iso: "2015-03-31")!).description == "2014/15 Q4")
        #expect(ClaimWindow(containing: CalendarDate(iso: "1999-05-01")!).description == "1999/00 Q1")
        #expect(ClaimWindow("2014/15 Q4")!.next.description == "2015/16 Q1")
    }

    @Test func onlyAWindowWrittenAsTheProgrammeWritesItIsRead() {
        #expect(ClaimWindow("2014/15 Q2")?.description == "2014/15 Q2")
        for wrong in ["2014 Q2", "2014-15 Q2", "2014/16 Q2", "2014/15 Q5", "2014/15 Q0", "2014/15Q2", "2014/15 q2", "", "2014/15 Q2 "] {
            #expect(ClaimWindow(wrong) == nil, "\(wrong)")
        }
        #expect(FinancialYear("2014/15")?.description == "2014/15")
        #expect(FinancialYear("1999/00")?.startYear == 1999)
        for wrong in ["2014", "2014-15", "2014/16", "14/15", "２０１４/15"] { #expect(FinancialYear(wrong) == nil, "\(wrong)") }
    }
}
