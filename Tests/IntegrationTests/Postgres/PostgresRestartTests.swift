import Foundation
import IntegrationSupport
import Postgres
import Testing

/// Restarts a Postgres server of its own, so other tests keep theirs.
@Suite(.startsProcesses, .takesAProcessSlot) struct PostgresRestartTests {
    @Test func poolReconnectsAfterServerRestart() async throws {
        try await Script.withInstance("pgrestart", starting: "start-postgres") { instance in
            let url = try await Script.dev("database-url", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            let pool = PostgresPool(configuration: PostgresConfiguration(url: url), logger: TestEnvironment.logger)
            defer { pool.close() }
            let before = try await pool.withConnection { try $0.query("SELECT pg_backend_pid()").decode(Int.self)[0] }

            try await Script.dev("restart-postgres", instance: instance)

            let after = try await pool.withConnection { try $0.query("SELECT pg_backend_pid()").decode(Int.self)[0] }
            #expect(after != before)
        }
    }
}
