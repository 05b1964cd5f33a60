import Foundation
import IntegrationSupport
import Postgres
import Store
import Testing

@Suite struct MigrationRunnerTests {
    static let migrations = [
        Migration(version: 1, name: "create_counter", sql: "CREATE TABLE counter (n integer NOT NULL);"),
        Migration(version: 2, name: "count_once", sql: "INSERT INTO counter (n) VALUES (1);"),
    ]

    @Test func twoRunnersStartedAtOnceApplyEachMigrationOnce() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let first = MigrationRunner(pool: pool, logger: TestEnvironment.logger)
            let second = MigrationRunner(pool: pool, logger: TestEnvironment.logger)
            async let appliedByFirst = first.apply(Self.migrations)
            async let appliedBySecond = second.apply(Self.migrations)
            let applied = try await appliedByFirst + appliedBySecond
            let (counted, recorded) = try await pool.withConnection { connection in
                (
                    try connection.query("SELECT count(*) FROM counter").decode(Int.self)[0],
                    try connection.query("SELECT version FROM schema_migration ORDER BY version").decode(Int.self)
                )
            }
            #expect(applied.map(\.version).sorted() == [1, 2])
            #expect(counted == 1)
            #expect(recorded == [1, 2])
        }
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let broken = Self.migrations + [Migration(version: 3, name: "broken", sql: "CREATE TABLE x (; ")]
            await #expect(throws: PostgresError.self) {
                try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).apply(broken)
            }
            let tables = try await pool.withConnection { connection in
                try connection.query("SELECT count(*) FROM pg_tables WHERE tablename = 'counter' AND schemaname = current_schema()")
                    .decode(Int.self)[0]
            }
            #expect(tables == 0)
        }
    }

    @Test func migrationRenamedAfterApplyingIsRefused() async throws {
        try await TestEnvironment.withTestSchema { pool in
            let runner = MigrationRunner(pool: pool, logger: TestEnvironment.logger)
            try await runner.apply(Self.migrations)
            var renamed = Self.migrations
            renamed[1].name = "something_else"
            await #expect(throws: MigrationError.self) { try await runner.apply(renamed) }
        }
    }

    @Test func bundledMigrationsApplyToAnEmptySchema() async throws {
        let bundled = try Migration.bundled()
        #expect(!bundled.isEmpty)
        #expect(bundled.map(\.version) == Array(1...bundled.count))
        try await TestEnvironment.withTestSchema { pool in
            let applied = try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).apply(bundled)
            #expect(applied == bundled)
        }
    }

    @Test func malformedFileNameIsNamedInTheError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("1_bad.sql")
        try "SELECT 1;".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            try Migration(file: file)
        } throws: { ($0 as? MigrationError)?.file == "1_bad.sql" }
    }
}
