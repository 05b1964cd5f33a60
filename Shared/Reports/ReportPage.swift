import Foundation
import Plot
import Vocabulary

/// The reports as HTML: one self-contained page each (styles inline, charts
/// as inline SVG, no script, and a content security policy that lets the page
/// fetch nothing), readable on screen and printed.
public enum ReportPage {
    /// The claims report: totals, how they reconcile, claims by window stacked
    /// by payment, the way to payment as a funnel, and every line.
    public static func html(_ report: ClaimsReport, generatedAt: Date) -> String {
        let windows = report.windows
        let payments = report.payments
        let byWindow = BarChart(
            title: "Claims by window, by payment (£)", categories: windows.map(\.description),
            series: payments.map { payment in
                BarChart.Series(name: ClaimsReport.paymentName(payment), values: windows.map { report.tally(window: $0, payment: payment).pence })
            },
            layout: .stacked, valueText: { Money(pence: $0).description })
        let funnel = BarChart(
            title: "The way to payment (claims)", categories: report.funnel.map(\.name),
            series: [BarChart.Series(name: "claims", values: report.funnel.map(\.tally.claims))], layout: .funnel)
        let total = report.total
        return page(
            title: "Claims, \(report.scope)", generatedAt: generatedAt,
            .p(
                .class("totals"), .text("In all: "),
                .span(.id("total-claims"), .attribute(named: "data-claims", value: "\(total.claims)"), .text("\(total.claims)")),
                .text(" claims, "),
                .span(.id("total-amount"), .attribute(named: "data-pence", value: "\(total.pence)"), .text(total.amount.description)),
                .text(".")),
            .p(.class(report.reconciles ? "reconciles" : "does-not-reconcile"), .text(report.reconciliation)),
            .if(!report.lines.isEmpty, .div(.class("charts"), byWindow.node, funnel.node)),
            .h2("By window, payment and stage"),
            .table(
                .thead(.tr(.th("window"), .th("payment"), .th("stage"), .th(.class("number"), "claims"), .th(.class("number"), "amount"))),
                .tbody(
                    .forEach(windows) { window in
                        .group(
                            .forEach(report.lines.filter { $0.window == window }) { line in
                                .tr(
                                    .td(.text(window.description)), .td(.text(ClaimsReport.paymentName(line.payment))),
                                    .td(.text(line.stage.rawValue)), .td(.class("number"), .text("\(line.tally.claims)")),
                                    .td(.class("number"), .text(line.tally.amount.description)))
                            },
                            subtotal("\(window) in all", report.tally(window: window)))
                    }),
                .tfoot(subtotal("Total", total))),
            .h2("By payment"),
            .table(
                .thead(.tr(.th("payment"), .th(.class("number"), "claims"), .th(.class("number"), "amount"))),
                .tbody(
                    .forEach(payments) { payment in
                        let tally = report.tally(payment: payment)
                        return .tr(
                            .td(.text(ClaimsReport.paymentName(payment))), .td(.class("number"), .text("\(tally.claims)")),
                            .td(.class("number"), .text(tally.amount.description)))
                    })),
            .h2("By stage"),
            .table(
                .thead(.tr(.th("stage"), .th(.class("number"), "claims"), .th(.class("number"), "amount"))),
                .tbody(
                    .forEach(ClaimsReport.Stage.allCases) { stage in
                        let tally = report.tally(stages: [stage])
                        return .tr(
                            .td(.text(stage.rawValue)), .td(.class("number"), .text("\(tally.claims)")),
                            .td(.class("number"), .text(tally.amount.description)))
                    })))
    }

    /// The progress report: the table by quarter and, as a chart, the
    /// families counted to date against the target.
    public static func html(_ report: ProgressReport, generatedAt: Date) -> String {
        let cumulative = report.cumulative
        let chart = BarChart(
            title: "Families to date, by quarter", categories: report.quarters.map(\.window.description),
            series: [
                BarChart.Series(name: "identified", values: cumulative.map(\.identified)),
                BarChart.Series(name: "worked with", values: cumulative.map(\.workedWith)),
                BarChart.Series(name: "turned around", values: cumulative.map(\.turnedAround)),
                BarChart.Series(name: "progress to work", values: cumulative.map(\.progressToWork)),
            ],
            layout: .grouped, reference: report.target.map { ($0, "target: \($0)") })
        let total = report.total
        return page(
            title: "Progress, \(report.authority)", generatedAt: generatedAt,
            .p(
                .class("totals"),
                .text(
                    "Under \(report.ruleset): \(total.identified) families identified, \(total.workedWith) worked with, "
                        + "\(total.turnedAround) turned around" + (report.shareOfTarget(total.turnedAround).map { " (\($0) of the target of \(report.target!))" } ?? "")
                        + "; \(total.progressToWork) with an adult's progress to work, counted apart.")),
            .if(!report.quarters.isEmpty, .div(.class("charts"), chart.node)),
            .h2("By quarter"),
            .table(
                .thead(
                    .tr(
                        .th("quarter"), .th(.class("number"), "identified"), .th(.class("number"), "worked with"),
                        .th(.class("number"), "turned around"), .th(.class("number"), "progress to work"),
                        .th(.class("number"), "identified to date"), .th(.class("number"), "worked with to date"),
                        .th(.class("number"), "turned around to date"),
                        .if(report.target != nil, .th(.class("number"), "of target")))),
                .tbody(
                    .forEach(Array(zip(report.quarters, cumulative))) { quarter, toDate in
                        .tr(
                            .td(.text(quarter.window.description)), number(quarter.counts.identified), number(quarter.counts.workedWith),
                            number(quarter.counts.turnedAround), number(quarter.counts.progressToWork), number(toDate.identified),
                            number(toDate.workedWith), number(toDate.turnedAround),
                            .if(report.target != nil, .td(.class("number"), .text(report.shareOfTarget(toDate.turnedAround) ?? ""))))
                    }),
                .tfoot(
                    .tr(
                        .th("Total"), number(total.identified), number(total.workedWith), number(total.turnedAround),
                        number(total.progressToWork), .td(), .td(), .td(), .if(report.target != nil, .td())))),
            .p(
                .class("notes"),
                .text(
                    "Identified: first found eligible in the quarter. Worked with: attached in the quarter. Turned around: the quarter of "
                        + "the family's first result claimed that the programme counts as turned around. Progress to work: the quarter of "
                        + "a progress-to-work result claimed. Claims rejected by internal audit or refused by the department are not counted.")))
    }

    static func page(title: String, generatedAt: Date, source: String = "the claims database", _ body: Node<HTML.BodyContext>...) -> String {
        HTML(
            .head(
                .meta(.charset(.utf8)),
                .meta(.attribute(named: "http-equiv", value: "Content-Security-Policy"),
                      .attribute(named: "content", value: "default-src 'none'; style-src 'unsafe-inline'")),
                .title(title),
                .style(css)),
            .body(
                .h1(.text(title)),
                .p(.class("generated"), .text("Made \(generatedAt.formatted(.iso8601)) from \(source).")),
                .group(body))
        ).render(indentedBy: .spaces(1))
    }

    private static func subtotal(_ label: String, _ tally: ClaimsReport.Tally) -> Node<HTML.TableContext> {
        .tr(
            .class("subtotal"), .th(.attribute(named: "colspan", value: "3"), .text(label)), .td(.class("number"), .text("\(tally.claims)")),
            .td(.class("number"), .text(tally.amount.description)))
    }

    private static func number(_ value: Int) -> Node<HTML.TableRowContext> {
        .td(.class("number"), .text("\(value)"))
    }

    private static let css = """
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 72em; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
        table { border-collapse: collapse; margin: 0.5em 0; }
        th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
        td { white-space: nowrap; }
        .number { text-align: right; font-variant-numeric: tabular-nums; }
        tr.subtotal th, tr.subtotal td, tfoot th, tfoot td { font-weight: bold; background: #f2f2f2; }
        .charts { display: flex; flex-wrap: wrap; gap: 1.5em; } figure.chart { margin: 0; }
        .does-not-reconcile { color: #b00; font-weight: bold; }
        .generated, .notes { color: #555; font-size: 0.9em; }
        .decisions { display: flex; flex-wrap: wrap; gap: 1.5em; } .decision { flex: 1 1 30em; }
        @media print {
          body { margin: 0; max-width: none; }
          figure.chart, table { break-inside: avoid; }
          tr { break-inside: avoid; }
        }
        """
}

/// The forms a report takes.
public enum ReportFormat: String, CaseIterable, Sendable {
    case table, csv, json, html
}

/// A report in each of its formats.
public protocol RenderableReport: Sendable {
    /// For a terminal.
    var table: String { get }
    /// For a spreadsheet.
    var csv: String { get }
    /// For a program.
    func json() throws -> String
    /// One self-contained page, for screen and print.
    func html(generatedAt: Date) -> String
}

extension RenderableReport {
    /// The report in `format`; an HTML page says when it was made.
    public func rendered(as format: ReportFormat, generatedAt: Date = Date()) throws -> String {
        switch format {
        case .table: table
        case .csv: csv
        case .json: try json()
        case .html: html(generatedAt: generatedAt)
        }
    }
}

extension ClaimsReport: RenderableReport {
    public func html(generatedAt: Date) -> String { ReportPage.html(self, generatedAt: generatedAt) }
}

extension ProgressReport: RenderableReport {
    public func html(generatedAt: Date) -> String { ReportPage.html(self, generatedAt: generatedAt) }
}
