import Foundation
import IntegrationSupport
import Postgres
import Store
import Testing

@Suite(.startsProcesses, .takesAProcessSlot) struct DeadLetterTableTests {
    static func entry(_ topic: String, offset: Int64, reason: String, payload: String) -> DeadLetterTable.Entry {
        DeadLetterTable.Entry(
            topic: topic, partition: 0, offset: offset, eventID: "id-\(topic)-\(offset)", reason: reason,
            original: DeadLetterTable.Original(key: Array("key".utf8), payload: Array(payload.utf8), headers: [OutboxHeader(name: "h", value: [1])]))
    }

    static func withTable(_ body: (PostgresPool) async throws -> Void) async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            try await body(pool)
        }
    }

    @Test func recordedLettersKeepTheirBytesAndAreSelectedByEveryCondition() async throws {
        try await Self.withTable { pool in
            let ids = try await pool.withTransaction { connection in
                try DeadLetterTable.record(
                    [Self.entry("referrals", offset: 7, reason: "Unknown agency", payload: "first"),
                     Self.entry("evidence", offset: 3, reason: "bad signature", payload: "second"),
                     Self.entry("referrals", offset: 9, reason: "bad signature", payload: "third")],
                    service: "intake", on: connection)
            }
            #expect(ids.count == 3 && ids == ids.sorted())
            try await pool.withConnection { connection throws in
                #expect(try DeadLetterTable.original(of: ids[1], on: connection)?.payload == Array("second".utf8))
                #expect(try DeadLetterTable.original(of: ids[1], on: connection)?.headers == [OutboxHeader(name: "h", value: [1])])
                func listed(_ selection: DeadLetterTable.Selection) throws -> [Int64] {
                    try DeadLetterTable.list(selection, limit: 100, on: connection).map(\.id)
                }
                #expect(try listed(.init(topic: "referrals")) == [ids[0], ids[2]])
                #expect(try listed(.init(reasonContaining: "SIGNATURE")) == [ids[1], ids[2]])
                #expect(try listed(.init(ids: [ids[2]], topic: "referrals")) == [ids[2]])
                #expect(try listed(.init(service: "screening")).isEmpty)
                #expect(try listed(.init(since: Date() + 3600)).isEmpty)
                #expect(try listed(.init(until: Date() + 3600)) == ids)
                #expect(try DeadLetterTable.count(.init(topic: "referrals"), on: connection) == 2)
            }
        }
    }

    @Test func aLetterIsReplayedOnceAndAPurgeDeletesOnlyWhatItSelects() async throws {
        try await Self.withTable { pool in
            let ids = try await pool.withTransaction { connection in
                try DeadLetterTable.record(
                    [Self.entry("referrals", offset: 1, reason: "r", payload: "a"), Self.entry("evidence", offset: 2, reason: "r", payload: "b")],
                    service: "intake", on: connection)
            }
            let replayID = UUID()
            try await pool.withTransaction { connection in
                let locked = try DeadLetterTable.lockForReplay(.init(topic: "referrals"), on: connection)
                #expect(locked.map(\.0.id) == [ids[0]])
                #expect(locked.first?.1.payload == Array("a".utf8))
                try DeadLetterTable.markReplayed([(id: ids[0], eventID: replayID)], by: "ops-1", on: connection)
            }
            try await pool.withConnection { connection throws in
                #expect(try DeadLetterTable.lockForReplay(.init(topic: "referrals"), on: connection).isEmpty)
                let replay = try DeadLetterTable.list(.init(ids: [ids[0]]), limit: 1, on: connection).first?.replay
                #expect(replay?.by == "ops-1" && replay?.eventID == replayID && replay?.outcome == .sent)
                #expect(try DeadLetterTable.list(.init(replayed: false), limit: 10, on: connection).map(\.id) == [ids[1]])
            }
            let purged = try await pool.withTransaction { try DeadLetterTable.purge(.init(topic: "referrals"), on: $0) }
            #expect(purged == 1)
            try await pool.withConnection { connection throws in
                #expect(try DeadLetterTable.count(.init(topic: "referrals"), on: connection) == 0)
                #expect(try DeadLetterTable.count(.init(topic: "evidence"), on: connection) == 1)
            }
        }
    }

    @Test func onlyTheOwnerAndTheDeadLetterRoleReadTheOriginalBytes() async throws {
        try await Self.withTable { pool in
            try await pool.withTransaction { connection in
                _ = try DeadLetterTable.record([Self.entry("referrals", offset: 1, reason: "r", payload: "Jane Doe")], service: "intake", on: connection)
            }
            let schema = try #require(pool.configuration.searchPath?.first)
            let role = TestEnvironment.uniqueName("reader")
            let password = UUID().uuidString
            try await pool.withConnection { connection throws in
                try connection.execute("CREATE ROLE \(identifier: role) LOGIN PASSWORD \(unescaped: "'" + password + "'")")
                try connection.execute("GRANT USAGE ON SCHEMA \(identifier: schema) TO \(identifier: role)")
            }
            var url = try #require(URLComponents(string: try TestEnvironment.databaseURL()))
            url.user = role
            url.password = password
            let reader = PostgresPool(
                configuration: PostgresConfiguration(url: try #require(url.string), maxConnections: 1, searchPath: [schema]),
                logger: TestEnvironment.logger)
            func read() async throws -> [String] {
                try await reader.withConnection { try $0.query("SELECT convert_from(payload, 'UTF8') FROM dead_letter").decode(String.self) }
            }
            var failure: (any Error)?
            do {
                let refused = await #expect(throws: PostgresError.self) { try await read() }
                #expect(refused?.sqlState == "42501", "\(String(describing: refused))")
                try await pool.withConnection { try $0.execute("GRANT turnaround_dead_letters TO \(identifier: role)") }
                #expect(try await read() == ["Jane Doe"])
                // The role runs the dead-letter tools as they are: listing migrates nothing.
                let cli = try await ChildProcess(
                    TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/turnaround").path,
                    ["dlq", "list", "--format", "csv"],
                    environment: ["DATABASE_URL": TestEnvironment.databaseURL(try #require(url.string), searchPath: schema)])
                #expect(await cli.waitForExit() == 0, "\(cli.output)")
                #expect(cli.output.contains("intake,referrals,0,1,id-referrals-1,r,not replayed"), "\(cli.output)")
            } catch {
                failure = error
            }
            reader.close()
            try await pool.withConnection { connection throws in
                try connection.execute("DROP OWNED BY \(identifier: role)")
                try connection.execute("DROP ROLE \(identifier: role)")
            }
            if let failure { throw failure }
        }
    }
}
