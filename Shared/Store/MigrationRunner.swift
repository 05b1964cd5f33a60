import Logging
import Postgres

/// Brings the schema up to date.
///
/// Runners in every replica may start at once: each takes a transaction-level
/// advisory lock first, so one applies the pending migrations and the others,
/// once it commits, find nothing left to do. A migration and its record in
/// `schema_migration` commit together.
public struct MigrationRunner: Sendable {
    /// Advisory-lock key that serialises migration runs across processes.
    static let lockKey: Int64 = 0x7475_726e_6d69_6772  // "turnmigr"

    private let pool: PostgresPool
    private let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Applies the migrations not yet applied, in version order.
    /// - Returns: the migrations this call applied.
    /// - Throws: ``MigrationError`` when the database records a migration
    ///   under another name than this build's file, or ``PostgresError``.
    @discardableResult
    public func apply(_ migrations: [Migration]) async throws -> [Migration] {
        let ordered = try Migration.ordered(migrations)
        let applied = try await pool.withTransaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try connection.executeScript(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS schema_migration (
                        version    integer     PRIMARY KEY,
                        name       text        NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """, name: "create schema_migration")
            let recorded = Dictionary(
                uniqueKeysWithValues: try connection.query("SELECT version, name FROM schema_migration")
                    .decode((Int, String).self).map { ($0.0, $0.1) })
            var applied: [Migration] = []
            for migration in ordered {
                if let name = recorded[migration.version] {
                    guard name == migration.name else {
                        throw MigrationError(
                            file: "\(migration.version)_\(migration.name).sql",
                            problem: "the database applied version \(migration.version) as \(name)")
                    }
                    continue
                }
                try connection.executeScript(
                    unsafeSQL: migration.sql, name: "migration \(migration.version)_\(migration.name)")
                try connection.execute(
                    "INSERT INTO schema_migration (version, name) VALUES (\(migration.version), \(migration.name))")
                applied.append(migration)
            }
            return applied
        }
        for migration in applied {
            logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
        return applied
    }
}

extension PostgresPool {
    /// A pool on a database whose schema this build's migrations brought up
    /// to date; closed again if they fail.
    public static func migrated(_ configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresPool {
        let pool = PostgresPool(configuration: configuration, logger: logger)
        do {
            try await MigrationRunner(pool: pool, logger: logger).apply(Migration.bundled())
        } catch {
            pool.close()
            throw error
        }
        return pool
    }
}
