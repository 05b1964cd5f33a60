import ArgumentParser
import Postgres
import Store

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Bring the database schema up to date.",
        discussion: "Safe to run from several places at once: each migration is applied exactly once.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = common.makeLogger()
        let pool = PostgresPool(configuration: try common.postgresConfiguration(), logger: logger)
        defer { pool.close() }
        let migrations = try Migration.bundled()
        let applied = try await MigrationRunner(pool: pool, logger: logger).applyBundled()
        for migration in applied {
            common.say("applied \(migration.version) \(migration.name)")
        }
        common.say("schema up to date at version \(migrations.last?.version ?? 0)")
    }
}
