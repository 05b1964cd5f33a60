import Foundation
import IntegrationSupport
import Postgres
import Testing

/// Restarts a Postgres server of its own, so other tests keep theirs.
@Suite struct PostgresRestartTests {
    @Test func poolReconnectsAfterServerRestart() async throws {
        let instance = TestEnvironment.uniqueName("pgrestart")
        try await Script.dev("start-postgres", instance: instance)
        do {
            let url = try await Script.dev("database-url", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            let pool = PostgresPool(configuration: PostgresConfiguration(url: url), logger: TestEnvironment.logger)
            defer { pool.close() }
            let before = try await pool.withConnection { try $0.query("SELECT pg_backend_pid()").decode(Int.self)[0] }

            try await Script.dev("restart-postgres", instance: instance)

            let after = try await pool.withConnection { try $0.query("SELECT pg_backend_pid()").decode(Int.self)[0] }
            #expect(after != before)
        } catch {
            _ = try? await Script.dev("destroy", instance: instance)
            throw error
        }
        try await Script.dev("destroy", instance: instance)
    }
}
