import Foundation
import Reports
import Testing
import Vocabulary

@Suite struct CSVTests {
    @Test func aFieldASpreadsheetWouldReadAsAFormulaStaysText() {
        #expect(CSV.field("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"")
        #expect(CSV.field("+44 1234") == "'+44 1234")
        #expect(CSV.field("-1") == "'-1")
        #expect(CSV.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSV.field("\tcmd") == "'\tcmd")
        #expect(CSV.field("2014/15 Q2") == "2014/15 Q2")
        #expect(CSV.field("1600.00") == "1600.00")
    }

    @Test func aFieldWithACommaQuoteOrLineBreakIsQuoted() {
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"no\"") == "\"say \"\"no\"\"\"")
        #expect(CSV.field("two\nlines") == "\"two\nlines\"")
        #expect(CSV.document(header: ["a", "b"], rows: [["1", "x,y"]]) == "a,b\n1,\"x,y\"\n")
    }
}

@Suite struct ClaimsReportTests {
    static let q1 = ClaimWindow("2014/15 Q1")!
    static let q2 = ClaimWindow("2014/15 Q2")!

    static func report(databaseTotal: ClaimsReport.Tally? = nil) -> ClaimsReport {
        let lines = [
            ClaimsReport.Line(window: q2, payment: "C", stage: .paid, tally: .init(claims: 1, pence: 160_000)),
            ClaimsReport.Line(window: q2, payment: "attachment", stage: .awaitingAudit, tally: .init(claims: 2, pence: 480_000)),
            ClaimsReport.Line(window: q1, payment: "attachment", stage: .refusedByDepartment, tally: .init(claims: 1, pence: 240_000)),
            ClaimsReport.Line(window: q1, payment: "attachment", stage: .paid, tally: .init(claims: 3, pence: 720_000)),
            ClaimsReport.Line(window: q1, payment: "A", stage: .rejectedByAudit, tally: .init(claims: 1, pence: 150_000)),
        ]
        return ClaimsReport(scope: "financial year 2014/15", lines: lines, databaseTotal: databaseTotal ?? .init(claims: 8, pence: 1_750_000))
    }

    @Test func linesGoByWindowThenAttachmentFeeFirstThenStage() {
        let report = Self.report()
        #expect(report.lines.map { "\($0.window) \($0.payment) \($0.stage.rawValue)" } == [
            "2014/15 Q1 attachment paid", "2014/15 Q1 attachment refused-by-department", "2014/15 Q1 A rejected-by-audit",
            "2014/15 Q2 attachment awaiting-audit", "2014/15 Q2 C paid",
        ])
        #expect(report.payments == ["attachment", "A", "C"])
    }

    @Test func theLinesAddUpToTheTotalWhichIsCheckedAgainstTheDatabases() {
        let report = Self.report()
        #expect(report.total == .init(claims: 8, pence: 1_750_000))
        #expect(report.reconciles)
        #expect(report.tally(window: Self.q1) == .init(claims: 5, pence: 1_110_000))
        #expect(report.tally(payment: "attachment") == .init(claims: 6, pence: 1_440_000))
        let off = Self.report(databaseTotal: .init(claims: 9, pence: 1_900_000))
        #expect(!off.reconciles)
        #expect(off.reconciliation.contains("DOES NOT reconcile"))
        #expect(off.table.contains("the database holds 9 claims, £19,000"))
    }

    @Test func theFunnelCountsWhatReachedEachStep() {
        #expect(Self.report().funnel.map { "\($0.name): \($0.tally.claims)" } == [
            "claimed: 8", "passed internal audit: 5", "submitted to the department: 5", "paid: 4",
        ])
    }

    @Test func eachFormatCarriesTheLinesAndTheTotal() throws {
        let report = Self.report()
        let csv = report.csv.split(separator: "\n")
        #expect(csv.first == "window,payment,stage,claims,amount_pounds")
        #expect(csv.contains("2014/15 Q1,attachment,paid,3,7200.00"))
        #expect(csv.last == "total,,,8,17500.00")
        let json = try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as! [String: Any]
        #expect((json["total"] as! [String: Any])["amount_pence"] as? Int == 1_750_000)
        #expect(json["reconciles"] as? Bool == true)
        #expect((json["lines"] as! [Any]).count == 5)
        #expect(report.table.contains("The total reconciles with the database: 8 claims, £17,500."))
    }

    @Test func theHTMLIsOnePageThatFetchesNothingWithItsChartsAndTotals() {
        let html = ReportPage.html(Self.report(), generatedAt: Date(timeIntervalSince1970: 0))
        #expect(html.contains("default-src 'none'"))
        #expect(!html.contains("<script"))
        #expect(!html.replacing("http://www.w3.org/2000/svg", with: "").contains("://"))
        #expect(html.contains("data-pence=\"1750000\""))
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)
    }
}

@Suite struct ProgressReportTests {
    @Test func quartersBetweenTheFirstAndLastAreAllShownAndCountedToDate() throws {
        let report = ProgressReport(
            authority: "Anytown", ruleset: "phase1-2012 v1.0.0", target: 10,
            counts: [
                ClaimWindow("2013/14 Q3")!: .init(identified: 4, workedWith: 2),
                ClaimWindow("2014/15 Q2")!: .init(identified: 1, workedWith: 2, turnedAround: 3, progressToWork: 1),
            ])
        #expect(report.quarters.map(\.window.description) == ["2013/14 Q3", "2013/14 Q4", "2014/15 Q1", "2014/15 Q2"])
        #expect(report.cumulative.map(\.turnedAround) == [0, 0, 0, 3])
        #expect(report.total == .init(identified: 5, workedWith: 4, turnedAround: 3, progressToWork: 1))
        #expect(report.shareOfTarget(3) == "30%")
        #expect(report.csv.split(separator: "\n").last == "Anytown,2014/15 Q2,1,2,3,1,5,4,3,30%")
        let html = ReportPage.html(report, generatedAt: Date(timeIntervalSince1970: 0))
        #expect(html.contains("class=\"reference\""))
        let json = try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as! [String: Any]
        #expect((json["quarters"] as! [Any]).count == 4)
    }
}
