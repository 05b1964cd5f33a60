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
            common.say("applied \(migration.fileName)")
        }
        let latest = [nil as Stage?] + Stage.allCases.map { $0 }
        let versions = latest.map { stage in
            "\(stage?.rawValue ?? "base") at \(migrations.last { $0.stage == stage }?.version ?? 0)"
        }
        common.say("schemas up to date: " + versions.joined(separator: ", "))
    }
}
