import IntegrationSupport
import Postgres
import Store
import Testing

@Suite struct OutboxTableTests {
    @Test func aStageReadsItsOwnAndUnnamedEventsOldestFirstAndNoOtherStages() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            @Sendable func event(_ name: String) -> OutboxEvent { OutboxEvent(topic: "t", key: nil, payload: Array(name.utf8)) }
            try await pool.withTransaction { connection in
                try OutboxTable.append([event("intake-1")], stage: "intake", on: connection)
                // Written before events named their stage: any stage's relay sends it.
                try OutboxTable.append([event("unnamed-2")], stage: "", on: connection)
                try OutboxTable.append([event("screening-3")], stage: "screening", on: connection)
                try OutboxTable.append([event("intake-4"), event("intake-5")], stage: "intake", on: connection)
                try OutboxTable.append([event("unnamed-6")], stage: "", on: connection)
            }
            func read(limit: Int) async throws -> [String] {
                try await pool.withConnection { try OutboxTable.oldestUnpublished(stage: "intake", limit: limit, on: $0) }
                    .map { String(decoding: $0.event.payload, as: UTF8.self) }
            }
            #expect(try await read(limit: 10) == ["intake-1", "unnamed-2", "intake-4", "intake-5", "unnamed-6"])
            #expect(try await read(limit: 3) == ["intake-1", "unnamed-2", "intake-4"])
        }
    }

    /// The relay reads the oldest few events waiting, not every one, whatever
    /// the planner would rather do. Through a burst of writes the table's
    /// statistics lag, and estimating a few events waiting, the planner read
    /// them all and sorted them to return the oldest 500. Here the session
    /// makes walking an index look dearer instead, which leads the planner
    /// to the same plan.
    @Test func readingTheOldestWaitingEventsFetchesOnlyThoseWhateverThePlannerPrefers() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            try await pool.withConnection { connection in
                for chunk in 0..<5 {
                    try OutboxTable.append(
                        (0..<1_000).map { OutboxEvent(topic: "t", key: nil, payload: Array("event \(chunk * 1_000 + $0)".utf8)) },
                        stage: "screening", on: connection)
                }
                // What this session fetched from the table so far, as the server counts it once it goes idle.
                func rowsFetched() throws -> Int {
                    try connection.execute("SELECT pg_stat_force_next_flush()")
                    return try connection.query(
                        "SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relid = 'outbox_event'::regclass"
                    ).decode(Int.self)[0]
                }
                try connection.execute("SET enable_indexscan = off")
                defer { _ = try? connection.execute("RESET enable_indexscan") }
                let before = try rowsFetched()
                let oldest = try OutboxTable.oldestUnpublished(stage: "screening", limit: 10, on: connection)
                let fetched = try rowsFetched() - before
                #expect(oldest.map { String(decoding: $0.event.payload, as: UTF8.self) } == (0..<10).map { "event \($0)" })
                #expect(fetched <= 20, "the read fetched \(fetched) rows to return 10 of 5,000")
            }
        }
    }
}
