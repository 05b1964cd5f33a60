import ArgumentParser
import Foundation
import StageLogic
import Store

/// Internal audit: a window's sample, and the verdicts on the claims in it.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Draw internal audit's sample of a window's claims and record the verdicts.",
        discussion: """
            A window is submitted only once it has a sample, and a sampled claim is validated only once it has a verdict; \
            a failed claim holds up its family's other claims in the window until it is audited again and passes.
            """,
        subcommands: [Sample.self, Pass.self, Fail.self, Show.self])

    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw and record a window's sample, once: a share of each payment's claims, and every claim that carries a risk.",
            discussion: """
                The same claims, percent and seed always draw the same sample. Whatever the draw, the sample takes a result \
                measured within 13 weeks of attachment, a share of the claims of a keyworker or agency holding more than \
                twice the even share of the window's claims, and the claims of a family eligible on local discretion alone.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "The claim window, e.g. '2014/15 Q2'.") var window: String
        @Option(help: "The share of each payment's claims to draw (at least one each), in percent.") var percent: Double
        @Option(help: "The draw's seed (a whole number): record it, and the same claims give the same sample.") var seed: Int64
        @Option(help: "Who draws the sample (your staff id).") var by: String
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func validate() throws { try validateClaimWindow(window) }

        func run() async throws {
            let drawn = try await common.inTransaction {
                try InternalAudit.drawSample(window: window, percent: percent, seed: seed, by: by, on: $0)
            }
            Report(header: ["claim_id", "why"], rows: drawn.claims.map { [$0.claimID.uuidString.lowercased(), $0.why.joined(separator: "; ")] })
                .print(
                    format,
                    summary: "sampled \(drawn.claims.count) of the \(drawn.candidates) claims awaiting audit in \(window) "
                        + "(\(percent.formatted())% a payment, seed \(seed))")
        }
    }

    struct Pass: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a sampled claim passed audit.")
        @OptionGroup var verdict: VerdictOptions

        func run() async throws {
            try await verdict.record(passed: true)
            verdict.common.say("claim \(verdict.claim) passed audit")
        }
    }

    struct Fail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a sampled claim failed audit, and why (--note).")
        @OptionGroup var verdict: VerdictOptions

        func run() async throws {
            try await verdict.record(passed: false)
            verdict.common.say("claim \(verdict.claim) failed audit; its family's other claims in the window are held up until it passes")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a window's sample: each claim, why it is in it, its status and verdict.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The claim window, e.g. '2014/15 Q2'.") var window: String
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func validate() throws { try validateClaimWindow(window) }

        func run() async throws {
            let listing = try await common.withPool { pool in
                try await pool.withConnection { connection -> (AuditSampleTable.Row, [[String]])? in
                    guard let sample = try AuditSampleTable.of(window: window, on: connection) else { return nil }
                    let rows = try AuditSampleTable.claims(of: sample.sampleID, on: connection).map {
                        [
                            $0.claimID.uuidString.lowercased(), $0.why, $0.status, $0.passed.map { $0 ? "passed" : "failed" } ?? "no verdict",
                            $0.verdictBy ?? "", $0.note ?? "",
                        ]
                    }
                    return (sample, rows)
                }
            }
            guard let (sample, rows) = listing else { throw CommandFailure.refused("window \(window) has no audit sample: draw one with turnaround audit sample") }
            Report(header: ["claim_id", "why", "status", "verdict", "by", "note"], rows: rows)
                .print(
                    format,
                    summary: "\(rows.count) claims sampled by \(sample.drawnBy) (\(sample.percent.formatted())%, seed \(sample.seed)); "
                        + "\(rows.filter { $0[3] == "no verdict" }.count) without a verdict")
        }
    }
}

/// A verdict's claim, auditor and note.
struct VerdictOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions
    @Argument(help: "The claim's id.") var claim: String
    @Option(help: "Who audited (your staff id).") var by: String
    @Option(help: "What the auditor found: required of a failure.") var note: String?
    @Flag(help: "Record a new verdict on a claim that failed audit.") var reaudit = false

    func record(passed: Bool) async throws {
        guard let claimID = UUID(uuidString: claim) else { throw ValidationError("\(claim) is not a claim id") }
        try await common.inTransaction { connection in
            try InternalAudit.record(claimID, passed: passed, by: by, note: note, reaudit: reaudit, on: connection)
        }
    }
}
