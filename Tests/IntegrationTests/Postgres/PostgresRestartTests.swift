import Foundation
import IntegrationSupport
import Postgres
import Testing

/// Restarts a Postgres server of its own, so other tests keep theirs.
@Suite(.startsProcesses, .takesAProcessSlot) struct PostgresRestartTests {
    /// The new session is set up as the first was: the server kept nothing of the old one's settings.
    @Test func poolReconnectsAfterServerRestart() async throws {
        try await Script.withInstance("pgrestart", starting: "start-postgres") { instance in
            let url = try await Script.dev("database-url", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            let configuration = PostgresConfiguration(url: url, maxConnections: 1) { connection in
                try connection.execute("SELECT set_config('search_path', 'set_up_' || pg_backend_pid(), false)")
            }
            let pool = PostgresPool(configuration: configuration, logger: TestEnvironment.logger)
            defer { pool.close() }
            let session: PostgresQuery = "SELECT pg_backend_pid(), current_setting('search_path'), current_setting('plan_cache_mode')"
            let before = try await pool.withConnection { try $0.query(session).decode((Int, String, String).self)[0] }

            try await Script.dev("restart-postgres", instance: instance)

            let after = try await pool.withConnection { try $0.query(session).decode((Int, String, String).self)[0] }
            #expect(after.0 != before.0)
            #expect(before.1 == "set_up_\(before.0)" && after.1 == "set_up_\(after.0)")
            #expect(after.2 == "force_custom_plan")
        }
    }
}
