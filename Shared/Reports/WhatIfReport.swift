import Foundation
import Plot

/// What a change of rules would do, as `turnaround what-if` reports it: in
/// words and numbers only, so the page needs nothing of the rules.
public struct WhatIfReport: Sendable {
    /// `id@version#hash`, as decisions quote a ruleset.
    public var proposed: String
    public var current: String
    public var asOf: String
    public var families: Int
    public var nowEligible: Int
    public var noLongerEligible: Int
    public var criteriaChanged: Int
    /// Per criterion (its name), the families meeting it only under the proposed ruleset, and only under the current one.
    public var byCriterion: [(criterion: String, gained: Int, lost: Int)]
    public var differences: [Family]

    /// A family the change moves, with its explanation under both rulesets.
    public struct Family: Sendable {
        public var familyID: String
        public var current: Decision
        public var proposed: Decision

        public init(familyID: String, current: Decision, proposed: Decision) {
            self.familyID = familyID
            self.current = current
            self.proposed = proposed
        }
    }

    public struct Decision: Sendable {
        public var isEligible: Bool
        public var criteriaMet: [String]
        public var summary: String
        /// Each criterion: its name, whether it is met, and the findings in words.
        public var criteria: [(name: String, isMet: Bool, findings: [String])]

        public init(isEligible: Bool, criteriaMet: [String], summary: String, criteria: [(name: String, isMet: Bool, findings: [String])]) {
            self.isEligible = isEligible
            self.criteriaMet = criteriaMet
            self.summary = summary
            self.criteria = criteria
        }

        public var outcome: String {
            (isEligible ? "eligible" : "not eligible") + ": " + (criteriaMet.isEmpty ? "no criteria met" : criteriaMet.joined(separator: ", "))
        }
    }

    public init(
        proposed: String, current: String, asOf: String, families: Int, nowEligible: Int, noLongerEligible: Int, criteriaChanged: Int,
        byCriterion: [(criterion: String, gained: Int, lost: Int)], differences: [Family]
    ) {
        self.proposed = proposed
        self.current = current
        self.asOf = asOf
        self.families = families
        self.nowEligible = nowEligible
        self.noLongerEligible = noLongerEligible
        self.criteriaChanged = criteriaChanged
        self.byCriterion = byCriterion
        self.differences = differences
    }

    /// One sentence of the totals.
    public var summary: String {
        "\(families) families decided under \(proposed) against \(current) as of \(asOf): \(nowEligible) would become eligible, "
            + "\(noLongerEligible) would no longer be, \(criteriaChanged) would meet other criteria; nothing recorded"
    }
}

extension ReportPage {
    /// What-if as a page: the totals, the criteria that move, and each family moved with its explanation under both rulesets.
    public static func html(_ report: WhatIfReport, generatedAt: Date) -> String {
        page(
            title: "What if: \(report.proposed) against \(report.current)", generatedAt: generatedAt, source: "screening's families and evidence",
            .p(
                .class("totals"), .text("\(report.families) families as of \(report.asOf): "),
                .span(.id("now-eligible"), .attribute(named: "data-families", value: "\(report.nowEligible)"), .text("\(report.nowEligible)")),
                .text(" would become eligible, "),
                .span(.id("no-longer-eligible"), .attribute(named: "data-families", value: "\(report.noLongerEligible)"), .text("\(report.noLongerEligible)")),
                .text(" would no longer be, \(report.criteriaChanged) would meet other criteria. Nothing was recorded.")),
            .h2("Criteria"),
            .table(
                .thead(.tr(.th("criterion"), .th(.class("number"), "met only under \(report.proposed)"), .th(.class("number"), "met only under \(report.current)"))),
                .tbody(
                    .forEach(report.byCriterion) { row in
                        .tr(.td(.text(row.criterion)), .td(.class("number"), .text("\(row.gained)")), .td(.class("number"), .text("\(row.lost)")))
                    })),
            .h2("Families"),
            .forEach(report.differences) { family in
                .section(
                    .class("family"), .id("family-\(family.familyID)"),
                    .h3(.text("Family \(family.familyID): \(family.current.outcome) → \(family.proposed.outcome)")),
                    .div(
                        .class("decisions"),
                        decision("Under \(report.current)", family.current),
                        decision("Under \(report.proposed)", family.proposed)))
            })
    }

    private static func decision(_ heading: String, _ decision: WhatIfReport.Decision) -> Node<HTML.BodyContext> {
        .div(
            .class(decision.isEligible ? "decision eligible" : "decision not-eligible"),
            .h4(.text(heading)),
            .p(.text(decision.summary)),
            .ul(
                .forEach(decision.criteria) { criterion in
                    .li(
                        .strong(.text((criterion.isMet ? "met: " : "not met: ") + criterion.name)),
                        .ul(.forEach(criterion.findings) { .li(.text($0)) }))
                }))
    }
}

extension WhatIfReport: RenderableReport {
    /// The totals, the criteria that move, and a line for each family moved.
    public var table: String {
        var criteria = TextTable(header: ["criterion", "met only under " + proposed, "met only under " + current], alignments: [.left, .right, .right])
        for row in byCriterion { criteria.append([row.criterion, "\(row.gained)", "\(row.lost)"]) }
        var families = TextTable(header: ["family", "under " + current, "under " + proposed], alignments: [.left, .left, .left])
        for family in differences { families.append([family.familyID, family.current.outcome, family.proposed.outcome]) }
        return summary + "\n" + (byCriterion.isEmpty ? "" : "\n" + criteria.text) + (differences.isEmpty ? "" : "\n" + families.text)
    }

    /// A row for each family moved, with both outcomes and explanations.
    public var csv: String {
        CSV.document(
            header: ["family_id", "current_ruleset", "current_outcome", "current_explanation", "proposed_ruleset", "proposed_outcome", "proposed_explanation"],
            rows: differences.map { family in
                [family.familyID, current, family.current.outcome, family.current.summary, proposed, family.proposed.outcome, family.proposed.summary]
            })
    }

    public func json() throws -> String {
        struct Criterion: Encodable {
            let name: String
            let isMet: Bool
            let findings: [String]
        }
        struct Decision: Encodable {
            let eligible: Bool
            let criteriaMet: [String]
            let summary: String
            let criteria: [Criterion]
        }
        struct Moved: Encodable {
            let familyId: String
            let current: Decision
            let proposed: Decision
        }
        struct Count: Encodable {
            let criterion: String
            let metOnlyUnderProposed: Int
            let metOnlyUnderCurrent: Int
        }
        struct Document: Encodable {
            let proposed, current, asOf: String
            let families, nowEligible, noLongerEligible, criteriaChanged: Int
            let criteria: [Count]
            let differences: [Moved]
        }
        func decision(_ decision: WhatIfReport.Decision) -> Decision {
            Decision(
                eligible: decision.isEligible, criteriaMet: decision.criteriaMet, summary: decision.summary,
                criteria: decision.criteria.map { Criterion(name: $0.name, isMet: $0.isMet, findings: $0.findings) })
        }
        let document = Document(
            proposed: proposed, current: current, asOf: asOf, families: families, nowEligible: nowEligible, noLongerEligible: noLongerEligible,
            criteriaChanged: criteriaChanged,
            criteria: byCriterion.map { Count(criterion: $0.criterion, metOnlyUnderProposed: $0.gained, metOnlyUnderCurrent: $0.lost) },
            differences: differences.map { Moved(familyId: $0.familyID, current: decision($0.current), proposed: decision($0.proposed)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    public func html(generatedAt: Date) -> String {
        ReportPage.html(self, generatedAt: generatedAt)
    }
}
