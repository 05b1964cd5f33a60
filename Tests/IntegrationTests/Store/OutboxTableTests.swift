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
}
