import IntegrationSupport
import Postgres
import Store
import Testing

@Suite struct InboxTableTests {
    static func entries(_ ids: [String]) -> [InboxTable.Entry] {
        ids.enumerated().map { InboxTable.Entry(eventID: $1, topic: "referrals", partition: 0, offset: Int64($0), contentDigest: Array($1.utf8)) }
    }

    @Test func recordAllRecordsEveryNewEvent() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            try await pool.withTransaction { try InboxTable.recordAll(Self.entries(["a", "b", "c"]), consumer: "intake", on: $0) }
            let recorded = try await pool.withConnection {
                try $0.query("SELECT event_id FROM inbox_event WHERE consumer = 'intake' ORDER BY event_id").decode(String.self)
            }
            #expect(recorded == ["a", "b", "c"])
        }
    }

    @Test func eventRecordedBeforeOrTwiceInABatchIsReportedAndNothingIsRecorded() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            try await pool.withTransaction { try InboxTable.recordAll(Self.entries(["a"]), consumer: "intake", on: $0) }
            await #expect(throws: InboxTable.SeenBefore.self) {
                try await pool.withTransaction { try InboxTable.recordAll(Self.entries(["b", "a"]), consumer: "intake", on: $0) }
            }
            await #expect(throws: InboxTable.SeenBefore.self) {
                try await pool.withTransaction { try InboxTable.recordAll(Self.entries(["c", "c"]), consumer: "intake", on: $0) }
            }
            // Another consumer's inbox is its own.
            try await pool.withTransaction { try InboxTable.recordAll(Self.entries(["a"]), consumer: "screening", on: $0) }
            let recorded = try await pool.withConnection {
                try $0.query("SELECT consumer || ':' || event_id FROM inbox_event ORDER BY 1").decode(String.self)
            }
            #expect(recorded == ["intake:a", "screening:a"])
        }
    }

    @Test func recordNewSkipsWhatWasRecordedAndCountsAnEventTwiceInABatchOnce() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            try await pool.withTransaction { try InboxTable.recordAll(Self.entries(["a"]), consumer: "intake", on: $0) }
            let fresh = try await pool.withTransaction {
                try InboxTable.recordNew(Self.entries(["a", "b", "b", "c"]), consumer: "intake", on: $0)
            }
            #expect(fresh == ["b", "c"])
        }
    }
}
