import Foundation
import Plot
import Rules
import StageLogic

/// A claim's evidence pack as one self-contained HTML page (no scripts, no
/// links out), readable on screen and printed.
enum EvidencePackPage {
    static func html(_ pack: EvidencePack) -> String {
        let claim = pack.claim
        return HTML(
            .head(
                .title("Evidence pack: claim \(id(claim.claimID))"),
                .meta(.charset(.utf8)),
                .style(css)),
            .body(
                .h1("Evidence pack: \(claim.payment == "attachment" ? "attachment fee" : "result \(claim.payment)"), \(claim.amount)"),
                .p(.class("personal-data"), .text(pack.personalData)),
                .h2("The claim"),
                .table(
                    row("claim", id(claim.claimID)), row("family", id(claim.familyID)), row("payment", claim.payment),
                    row("amount", claim.amount), row("claim window", claim.claimWindow), row("financial year", claim.financialYear),
                    row("status", claim.status), row("return", claim.returnID.map(id) ?? "not submitted"),
                    row("claimed by", "\(claim.claimedBy), \(time(claim.claimedAt))"),
                    row("ruleset", "\(pack.ruleset.id) v\(pack.ruleset.version), content hash \(pack.ruleset.hash)")),
                .h2("Eligibility at entry"),
                eligibility(pack.eligibility),
                .h2("Attachment"),
                .table(
                    row("attached on", pack.attachment.attachedOn.description), row("keyworker", pack.attachment.keyworker ?? "not recorded"),
                    row("recorded by", pack.attachment.recordedBy ?? "not recorded"),
                    row("attached", pack.attachment.discretion.map { "at the co-ordinator's discretion: \($0)" } ?? "as screening found the family eligible"),
                    row(
                        "case closed",
                        pack.attachment.closedOn.map { "on \($0), recorded by \(pack.attachment.closedBy ?? "not recorded")" } ?? "open when measured")),
                .h2("Baseline at attachment"),
                .table(
                    row("criteria met", pack.baseline.criteriaMet.joined(separator: ", ")),
                    row("anti-social behaviour interventions", "\(pack.baseline.asbInterventions) (\(pack.baseline.asbPeople.joined(separator: ", ")))"),
                    row("proven youth offences", "\(pack.baseline.youthOffences) (\(pack.baseline.youthOffenders.joined(separator: ", ")))"),
                    row("children with an education problem", pack.baseline.childrenWithEducationProblems.joined(separator: ", ")),
                    row("adults on out-of-work benefits", pack.baseline.outOfWorkAdults.joined(separator: ", "))),
                .h2("Measures, as of \(pack.measuredOn)"),
                measures(pack.result),
                .h2("Payment working"),
                .ul(.forEach(pack.paymentWorking) { .li(.text($0)) }),
                .h2("History"),
                .table(
                    .tr(.th("when"), .th("from"), .th("to"), .th("by"), .th("why"), .th("return")),
                    .forEach(pack.history) { move in
                        .tr(
                            .td(.text(time(move.at))), .td(.text(move.from ?? "")), .td(.text(move.to)), .td(.text(move.by)),
                            .td(.text(move.reason ?? "")), .td(.text(move.returnID.map(id) ?? "")))
                    }),
                .h2("Internal audit"),
                .p(.text(pack.audit.sampledBecause.map { "In the window's sample: \($0)." } ?? "Not in the window's sample.")),
                .if(
                    !pack.audit.verdicts.isEmpty,
                    .table(
                        .tr(.th("when"), .th("verdict"), .th("by"), .th("note")),
                        .forEach(pack.audit.verdicts) { verdict in
                            .tr(
                                .td(.text(time(verdict.at))), .td(.text(verdict.passed ? "passed" : "failed")), .td(.text(verdict.by)),
                                .td(.text(verdict.note ?? "")))
                        }))
            )
        ).render(indentedBy: .spaces(2))
    }

    private static func eligibility(_ decision: EligibilityDecision?) -> Node<HTML.BodyContext> {
        guard let decision else { return .p("The eligibility decision this claim rests on is not recorded.") }
        return .div(
            .p(.text("Decided on \(decision.decidedOn) under \(decision.rulesetID) v\(decision.rulesetVersion): \(decision.summary)")),
            .table(
                .tr(.th("criterion"), .th("met"), .th("findings"), .th("evidence")),
                .forEach(decision.criteria) { criterion in
                    .tr(
                        .td(.text(criterion.name)), .td(.text(criterion.isMet ? "met" : "not met")),
                        .td(.ul(.forEach(criterion.findings) { .li(.text($0.text)) })),
                        .td(.text(criterion.findings.flatMap(\.evidenceIDs).joined(separator: ", "))))
                }))
    }

    private static func measures(_ result: ResultAssessment?) -> Node<HTML.BodyContext> {
        guard let result else { return .p("An attachment fee: paid for working with the family, no result measured.") }
        return .div(
            .p(.text("Result \(result.resultID), \(result.name): \(result.status.rawValue)")),
            .table(
                .tr(.th("finding"), .th("evidence")),
                .forEach(result.findings) { finding in
                    .tr(.td(.text(finding.text)), .td(.text(finding.evidenceIDs.joined(separator: ", "))))
                }))
    }

    private static func row(_ label: String, _ value: String) -> Node<HTML.TableContext> {
        .tr(.th(.text(label)), .td(.text(value)))
    }

    private static func id(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }

    private static func time(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
    }

    private static let css = """
        body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; color: #111; }
        table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
        th, td { border: 1px solid #bbb; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
        th { background: #eee; }
        .personal-data { font-style: italic; }
        @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
        """
}
