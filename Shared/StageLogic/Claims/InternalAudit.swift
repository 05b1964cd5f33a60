import Foundation
import Postgres
import Store

/// Internal audit: a window's sample, drawn once (``AuditSampler``) and
/// recorded, and the auditors' verdicts on the claims in it. A window is
/// submitted only once it has a sample, and a sampled claim is validated
/// only once it has a verdict;
/// a failed claim holds up its family's other claims in the window until it
/// is audited again and passes. Each runs in the caller's transaction and is
/// refused whole (``ClaimLifecycle/Refused``), changing nothing.
public enum InternalAudit {
    public typealias Refused = ClaimLifecycle.Refused

    /// A sample drawn.
    public struct Drawn: Sendable {
        public var sample: AuditSampleTable.Row
        /// The claims in it, each with every reason it is.
        public var claims: [(claimID: UUID, why: [String])]
        /// How many claims of the window awaited audit.
        public var candidates: Int
    }

    /// Draws and records a window's sample from the claims awaiting audit in it.
    public static func drawSample(
        window: String, percent: Double, seed: Int64, by user: String, on connection: PostgresConnection
    ) throws -> Drawn {
        guard percent > 0, percent <= 100 else { throw Refused(problems: ["--percent must be above 0 and at most 100"]) }
        let user = try nonEmpty(user, "--by")
        if let drawn = try AuditSampleTable.of(window: window, on: connection) {
            throw Refused(problems: [
                "window \(window) was sampled already, by \(drawn.drawnBy) on \(day(drawn.drawnAt)) "
                    + "(\(drawn.percent.formatted())%, seed \(drawn.seed)): `turnaround audit show --window '\(window)'` lists it"
            ])
        }
        let candidates = try AuditSampleTable.candidates(window: window, on: connection).map {
            AuditCandidate(
                claimID: $0.claimID, familyID: $0.familyID, payment: $0.payment, keyworker: $0.keyworker, agency: $0.agency,
                daysFromAttachment: $0.days, metCriteria: $0.metCriteria.split(separator: ",").map(String.init))
        }
        guard !candidates.isEmpty else { throw Refused(problems: ["window \(window) has no claim awaiting audit to sample"]) }
        let claims = AuditSampler(percent: percent, seed: seed).draw(candidates)
        let sample = try AuditSampleTable.record(
            window: window, percent: percent, seed: seed, drawnBy: user,
            claims: claims.map { ($0.claimID, $0.why.joined(separator: "; ")) }, on: connection)
        return Drawn(sample: sample, claims: claims, candidates: candidates.count)
    }

    /// Records an auditor's verdict on a sampled claim awaiting audit. A claim
    /// has one verdict; `reaudit` records another over a failure, and only then.
    public static func record(
        _ claimID: UUID, passed: Bool, by user: String, note: String?, reaudit: Bool = false, on connection: PostgresConnection
    ) throws {
        let user = try nonEmpty(user, "--by")
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if !passed, (note ?? "").isEmpty { throw Refused(problems: ["a failure needs its --note: what the auditor found"]) }
        guard let claim = try ResultClaimTable.lock([claimID], on: connection).first else {
            throw Refused(problems: ["claim \(claimID.lowercased): no such claim"])
        }
        guard claim.status == ClaimStatus.awaitingAudit.rawValue else {
            throw Refused(problems: ["claim \(claimID.lowercased) is \(ClaimStatus(rawValue: claim.status)?.words ?? claim.status): only a claim awaiting audit is audited"])
        }
        guard try !AuditSampleTable.sampled([claimID], on: connection).isEmpty else {
            throw Refused(problems: ["claim \(claimID.lowercased) is not in its window's audit sample"])
        }
        let latest = try AuditVerdictTable.latest(of: [claimID], on: connection)[claimID]
        switch (latest, reaudit) {
        case (let verdict?, false):
            throw Refused(problems: [
                "claim \(claimID.lowercased) \(verdict.passed ? "passed" : "failed") audit already (\(verdict.madeBy), \(day(verdict.madeAt)))"
                    + (verdict.passed ? "" : ": --reaudit records a new verdict")
            ])
        case (let verdict?, true) where verdict.passed:
            throw Refused(problems: ["claim \(claimID.lowercased) passed audit (\(verdict.madeBy)): only a failed claim is audited again"])
        case (nil, true):
            throw Refused(problems: ["claim \(claimID.lowercased) has no verdict to audit again: record one without --reaudit"])
        default:
            try AuditVerdictTable.append(claimID: claimID, passed: passed, note: note, madeBy: user, on: connection)
        }
    }

    /// Why a window cannot be submitted yet, from internal audit's side: it
    /// has no sample. (A sampled claim is validated only once it has a
    /// passing verdict, and a window with a claim awaiting audit is not
    /// submitted, so a sampled claim cannot reach a return unaudited.)
    static func submissionProblems(window: String, on connection: PostgresConnection) throws -> [String] {
        guard try AuditSampleTable.of(window: window, on: connection) == nil else { return [] }
        return ["window \(window) has no audit sample: draw one with `turnaround audit sample --window '\(window)'`"]
    }

    /// Why each of these claims cannot be validated yet: it is sampled and
    /// has no verdict, or it or another claim of its family in its window failed audit.
    static func heldUp(_ claimIDs: [UUID], on connection: PostgresConnection) throws -> [String] {
        let verdicts = try AuditVerdictTable.latest(of: claimIDs, on: connection)
        let unaudited = try AuditSampleTable.sampled(claimIDs, on: connection).filter { verdicts[$0] == nil }.sorted()
        return unaudited.map { "claim \($0.lowercased) is in the audit sample and has no verdict yet" }
            + (try AuditVerdictTable.failedInFamily(of: claimIDs, on: connection).map { claimID, failed in
                failed == claimID
                    ? "claim \(claimID.lowercased) failed audit: audit it again (--reaudit) or reject it"
                    : "claim \(claimID.lowercased) is held up: its family's claim \(failed.lowercased) failed audit in this window"
            })
    }

    private static func nonEmpty(_ text: String, _ name: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Refused(problems: ["\(name) must not be empty"]) }
        return trimmed
    }

    private static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day())
    }
}
