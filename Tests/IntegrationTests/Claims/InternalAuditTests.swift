import Foundation
import IntegrationSupport
import Postgres
import StageLogic
import Store
import Testing

/// Internal audit's sample and verdicts, and what they hold up.
@Suite struct InternalAuditTests {
    static let window = ClaimLifecycleTests.window

    static func refusal(_ body: @escaping @Sendable (PostgresConnection) throws -> some Sendable, on pool: PostgresPool) async -> String? {
        await ClaimLifecycleTests.refusal(body, on: pool)
    }

    @Test func aWindowIsSubmittedOnlyOnceItHasASampleAndEverySampledClaimAVerdict() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claims = try await ClaimLifecycleTests.claims(6, on: pool)
            #expect(
                await Self.refusal({ try InternalAudit.drawSample(window: "2015/16 Q1", percent: 10, seed: 1, by: "auditor-1", on: $0) }, on: pool)
                    == "window 2015/16 Q1 has no claim awaiting audit to sample")
            let drawn = try await pool.withTransaction { try InternalAudit.drawSample(window: Self.window, percent: 34, seed: 5, by: "auditor-1", on: $0) }
            #expect(drawn.candidates == 6 && drawn.claims.count == 3)
            let sampled = drawn.claims.map(\.claimID)
            let notSampled = claims.filter { !sampled.contains($0) }
            #expect(
                await Self.refusal({ try InternalAudit.drawSample(window: Self.window, percent: 50, seed: 6, by: "auditor-2", on: $0) }, on: pool)?
                    .hasPrefix("window \(Self.window) was sampled already, by auditor-1") == true)

            // A sampled claim is validated only once it has a verdict.
            let early = await Self.refusal({ try ClaimLifecycle.validate(claims, by: "auditor-1", on: $0) }, on: pool)
            #expect(early?.split(separator: "\n").count == 3 && early?.contains("is in the audit sample and has no verdict yet") == true, "\(early ?? "")")
            try await pool.withTransaction { try ClaimLifecycle.validate(notSampled, by: "auditor-1", on: $0) }
            #expect(
                await Self.refusal({ try InternalAudit.record(notSampled[0], passed: true, by: "auditor-1", note: nil, on: $0) }, on: pool)
                    == "claim \(notSampled[0].uuidString.lowercased()) is validated: only a claim awaiting audit is audited")
            try await pool.withTransaction { try InternalAudit.record(sampled[0], passed: true, by: "auditor-1", note: "evidence agrees", on: $0) }
            try await pool.withTransaction { try ClaimLifecycle.reject([sampled[1]], by: "auditor-1", reason: "not attached", on: $0) }
            // Two sampled claims still await audit, one of them with no verdict: not submitted.
            let waiting = await Self.refusal({ try ClaimLifecycle.submit(window: Self.window, by: "finance-1", on: $0) }, on: pool)
            #expect(waiting?.hasPrefix("window \(Self.window) has 2 claim(s) awaiting audit") == true, "\(waiting ?? "")")
            try await pool.withTransaction { try InternalAudit.record(sampled[2], passed: true, by: "auditor-2", note: nil, on: $0) }
            try await pool.withTransaction { try ClaimLifecycle.validate([sampled[0], sampled[2]], by: "auditor-1", on: $0) }
            let submitted = try await pool.withTransaction { try ClaimLifecycle.submit(window: Self.window, by: "finance-1", on: $0) }
            #expect(submitted.claims == 5)
        }
    }

    @Test func aWindowWithNoSampleIsNotSubmitted() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claims = try await ClaimLifecycleTests.claims(2, on: pool)
            try await pool.withTransaction { try ClaimLifecycle.validate(claims, by: "auditor-1", on: $0) }
            #expect(
                await Self.refusal({ try ClaimLifecycle.submit(window: Self.window, by: "finance-1", on: $0) }, on: pool)
                    == "window \(Self.window) has no audit sample: draw one with `turnaround audit sample --window '\(Self.window)'`")
        }
    }

    @Test func aFailedClaimHoldsUpItsFamilysOtherClaimsUntilItPassesAgain() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let family = UUID()
            let attachment = try await ClaimLifecycleTests.claim(family: family, payment: "attachment", on: pool)
            let result = try await ClaimLifecycleTests.claim(family: family, payment: "C", amountPence: 160_000, on: pool)
            let other = try await ClaimLifecycleTests.claim(family: UUID(), payment: "attachment", on: pool)
            let drawn = try await pool.withTransaction { try InternalAudit.drawSample(window: Self.window, percent: 1, seed: 9, by: "auditor-1", on: $0) }
            let sampled = Set(drawn.claims.map(\.claimID))
            // One of two attachment fees, and the only result: the attachment may be either family's.
            #expect(sampled.contains(result) && sampled.count == 2)
            #expect(
                await Self.refusal({ try InternalAudit.record(result, passed: false, by: "auditor-1", note: "  ", on: $0) }, on: pool)
                    == "a failure needs its --note: what the auditor found")
            try await pool.withTransaction {
                try InternalAudit.record(result, passed: false, by: "auditor-1", note: "employment ended in week 9", on: $0)
            }
            for (id, verdict) in [(attachment, true), (other, true)] where sampled.contains(id) {
                try await pool.withTransaction { try InternalAudit.record(id, passed: verdict, by: "auditor-1", note: nil, on: $0) }
            }
            let heldUp = await Self.refusal({ try ClaimLifecycle.validate([attachment, result, other], by: "auditor-2", on: $0) }, on: pool)
            #expect(
                Set(heldUp?.split(separator: "\n").map(String.init) ?? []) == [
                    "claim \(attachment.uuidString.lowercased()) is held up: its family's claim \(result.uuidString.lowercased()) failed audit in this window",
                    "claim \(result.uuidString.lowercased()) failed audit: audit it again (--reaudit) or reject it",
                ], "\(heldUp ?? "")")
            #expect(
                await Self.refusal({ try InternalAudit.record(result, passed: true, by: "auditor-2", note: nil, on: $0) }, on: pool)?
                    .hasSuffix("failed audit already (auditor-1, \(Date().formatted(.iso8601.year().month().day()))): --reaudit records a new verdict") == true)
            try await pool.withTransaction {
                try InternalAudit.record(result, passed: true, by: "auditor-2", note: "payslips to week 14 found", reaudit: true, on: $0)
            }
            #expect(
                await Self.refusal({ try InternalAudit.record(result, passed: false, by: "auditor-3", note: "x", reaudit: true, on: $0) }, on: pool)
                    == "claim \(result.uuidString.lowercased()) passed audit (auditor-2): only a failed claim is audited again")
            try await pool.withTransaction { try ClaimLifecycle.validate([attachment, result, other], by: "auditor-2", on: $0) }
        }
    }

    @Test func ofTwoAuditorsGivingAVerdictOnOneClaimAtOnceExactlyOneIsRecorded() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claim = try await ClaimLifecycleTests.claims(1, on: pool)[0]
            try await pool.withTransaction { _ = try InternalAudit.drawSample(window: Self.window, percent: 100, seed: 2, by: "auditor-1", on: $0) }
            async let pass = Self.refusal({ try InternalAudit.record(claim, passed: true, by: "auditor-1", note: nil, on: $0) }, on: pool)
            async let fail = Self.refusal({ try InternalAudit.record(claim, passed: false, by: "auditor-2", note: "no payslips", on: $0) }, on: pool)
            let outcomes = await [pass, fail]
            #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
            #expect(outcomes.contains { $0?.contains("audit already") == true }, "\(outcomes)")
            #expect(try await pool.withConnection { try $0.query("SELECT count(*) FROM audit_verdict").decode(Int.self)[0] } == 1)
        }
    }

    @Test func theSampleAndTheVerdictsAreNeverRewritten() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let claims = try await ClaimLifecycleTests.claims(2, on: pool)
            try await pool.withTransaction { _ = try InternalAudit.drawSample(window: Self.window, percent: 100, seed: 2, by: "auditor-1", on: $0) }
            try await pool.withTransaction { try InternalAudit.record(claims[0], passed: true, by: "auditor-1", note: nil, on: $0) }
            for statement: PostgresQuery in [
                "UPDATE audit_verdict SET passed = false", "DELETE FROM audit_verdict", "TRUNCATE audit_verdict",
                "DELETE FROM audit_sample_claim", "TRUNCATE audit_sample_claim", "UPDATE audit_sample SET seed = 3",
            ] {
                await #expect(throws: PostgresError.self) { try await pool.withConnection { try $0.execute(statement) } }
            }
            #expect(try await pool.withConnection { try $0.query("SELECT count(*) FROM audit_sample_claim").decode(Int.self)[0] } == 2)
        }
    }
}
