import Digest
import Foundation
import IntegrationSupport
import Postgres
import Store
import Testing

/// `ruleset` holds each id and version to one content, which screening
/// records at start-up; decisions made before the table existed count too.
@Suite struct RulesetTableTests {
    static let original = #"{"id": "leeds", "version": "1"}"#
    static let changed = #"{"id": "leeds", "version": "1", "changed": true}"#

    static func hash(_ content: String) -> String { SHA256.hex(Array(content.utf8)) }

    static func recordStart(_ content: String, id: String = "leeds", version: String = "1", on pool: PostgresPool) async throws -> RulesetTable.Start {
        try await pool.withTransaction {
            try RulesetTable.recordStart(id: id, version: version, contentHash: hash(content), content: content, on: $0)
        }
    }

    @Test func anIdAndVersionRecordedWithOneContentRefusesAnotherAndChangesNothing() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            // Two replicas starting at once with the same ruleset both start.
            async let first = Self.recordStart(Self.original, on: pool)
            async let second = Self.recordStart(Self.original, on: pool)
            #expect(try await [first, second] == [.recorded, .recorded])

            #expect(try await Self.recordStart(Self.changed, on: pool) == .conflicting(recordedHash: Self.hash(Self.original)))
            #expect(try await Self.recordStart(Self.changed, version: "2", on: pool) == .recorded)
            let recorded = try await pool.withConnection { try RulesetTable.all(on: $0) }
            #expect(recorded.map { [$0.version, $0.contentHash, $0.content ?? ""] } == [
                ["1", Self.hash(Self.original), Self.original], ["2", Self.hash(Self.changed), Self.changed],
            ])
            #expect(try await pool.withConnection { try RulesetTable.versions(of: "leeds", on: $0) }.first?.version == "2")
        }
    }

    @Test func theDatabaseHoldsTheContentToItsHash() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            await #expect {
                try await pool.withTransaction {
                    try RulesetTable.recordStart(id: "leeds", version: "1", contentHash: Self.hash(Self.original), content: Self.changed, on: $0)
                }
            } throws: { ($0 as? PostgresError)?.constraint == "ruleset_content_matches_hash" }
        }
    }

    @Test func decisionsMadeBeforeRulesetsWereRecordedHoldTheirIdAndVersionToTheContentUsedLast() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let runner = MigrationRunner(pool: pool, logger: TestEnvironment.logger)
            try await runner.apply(try Migration.bundled().filter { $0.stage == nil && $0.version < 19 })
            try await pool.withConnection { connection in
                for (hash, decidedAt, revision) in [(Self.hash(Self.changed), "2016-01-01", 1), (Self.hash(Self.original), "2016-03-01", 2)] {
                    try connection.execute(
                        """
                        INSERT INTO eligibility_decision (decision_id, family_id, revision, decided_by, decided_on, ruleset_id, ruleset_version,
                                                          ruleset_hash, is_eligible, met_criteria, summary, decision, decided_at)
                        VALUES (gen_random_uuid(), '7c0d3a52-4a1e-4f3c-9d55-5d4f2b1e0a01', \(revision), 'turnaround-screening',
                                \(decidedAt)::date, 'leeds', '1', \(hash), false, '{}', 'Not eligible', '{}', \(decidedAt)::timestamptz)
                        """)
                }
            }
            try await runner.applyBundled()
            let backfilled = try await pool.withConnection { try RulesetTable.all(on: $0) }
            #expect(backfilled.count == 1)
            #expect(backfilled.first?.contentHash == Self.hash(Self.original))
            #expect(backfilled.first?.content == nil)

            #expect(try await Self.recordStart(Self.changed, on: pool) == .conflicting(recordedHash: Self.hash(Self.original)))
            #expect(try await Self.recordStart(Self.original, on: pool) == .recorded)
            #expect(try await pool.withConnection { try RulesetTable.all(on: $0) }.first?.content == Self.original)
        }
    }
}
