@testable import Rules
import Testing

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

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
