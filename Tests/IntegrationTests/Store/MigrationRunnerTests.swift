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
        for stage in [nil] + Stage.allCases.map(Optional.some) {
            let versions = bundled.filter { $0.stage == stage }.map(\.version)
            #expect(!versions.isEmpty && versions == Array(1...versions.count), "\(stage?.rawValue ?? "base")")
        }
        try await TestEnvironment.withTestSchema { pool in
            let applied = try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).apply(bundled)
            #expect(applied == bundled)
        }
    }

    /// A stage's migrations make its tables in its own schema, made for it,
    /// and are recorded there; they see the base schema, never another stage's.
    @Test func aStagesMigrationsChangeItsOwnSchemaAndAreRecordedThere() async throws {
        let migrations = [
            Migration(version: 1, name: "runtime_thing", sql: "CREATE TABLE runtime_thing (n integer NOT NULL);"),
            Migration(version: 1, name: "screening_thing", sql: "CREATE TABLE screening_thing (n integer NOT NULL);", stage: .screening),
            Migration(version: 2, name: "counts_from_base", sql: "INSERT INTO screening_thing SELECT count(*) FROM runtime_thing;", stage: .screening),
        ]
        try await TestEnvironment.withTestSchema { pool in
            let runner = MigrationRunner(pool: pool, logger: TestEnvironment.logger)
            #expect(try await runner.apply(migrations.reversed()).map(\.fileName) == ["0001_runtime_thing.sql", "screening/0001_screening_thing.sql", "screening/0002_counts_from_base.sql"])
            let schemas = try await pool.withConnection { try DeploymentSchemas.current(on: $0) }
            let screening = schemas.schema(of: .screening)
            let (placed, recorded) = try await pool.withConnection { connection in
                (
                    try connection.query(
                        "SELECT schemaname::text, tablename::text FROM pg_tables WHERE tablename IN ('runtime_thing', 'screening_thing') ORDER BY tablename"
                    ).decode((String, String).self).map { $0.0 + "." + $0.1 },
                    try connection.query("SELECT version FROM \(identifier: schemas.base).schema_migration").decode(Int.self)
                        + connection.query("SELECT version FROM \(identifier: screening).schema_migration ORDER BY version").decode(Int.self)
                )
            }
            #expect(placed == [schemas.base + ".runtime_thing", screening + ".screening_thing"])
            #expect(recorded == [1, 1, 2])
            // Screening's table is found by name, as a service's sessions find it.
            #expect(try await pool.withConnection { try $0.query("SELECT n FROM screening_thing").decode(Int.self) } == [0])
            await #expect {
                try await runner.apply(migrations + [Migration(version: 1, name: "reaches", sql: "SELECT * FROM screening_thing;", stage: .claims)])
            } throws: { ($0 as? PostgresError)?.sqlState == "42P01" }
            // A service checks the base and its own stage: another stage's pending migration does not stop it.
            let claimsPending = migrations + [Migration(version: 1, name: "claims_thing", sql: "CREATE TABLE claims_thing (n integer);", stage: .claims)]
            try await runner.checkCurrent(Migration.serving(.screening, of: claimsPending))
            await #expect(throws: SchemaNotCurrent.self) { try await runner.checkCurrent(claimsPending) }
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
