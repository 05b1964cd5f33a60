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

    /// Applies this build's migrations not yet applied, then its grants
    /// (``Migration/bundledGrants()``), in one transaction.
    /// - Returns: the migrations this call applied.
    @discardableResult
    public func applyBundled() async throws -> [Migration] {
        try await apply(Migration.bundled(), thenRunning: Migration.bundledGrants())
    }

    /// Applies the migrations not yet applied, in version order, then
    /// `grants` (a script that may run any number of times), in one transaction.
    /// - Returns: the migrations this call applied.
    /// - Throws: ``MigrationError`` when the database records a migration
    ///   under another name than this build's file, or ``PostgresError``.
    @discardableResult
    public func apply(_ migrations: [Migration], thenRunning grants: String? = nil) async throws -> [Migration] {
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
            let recorded = try Self.recorded(on: connection, matching: ordered)
            var applied: [Migration] = []
            for migration in ordered where recorded[migration.version] == nil {
                try connection.executeScript(
                    unsafeSQL: migration.sql, name: "migration \(migration.version)_\(migration.name)")
                try connection.execute(
                    "INSERT INTO schema_migration (version, name) VALUES (\(migration.version), \(migration.name))")
                applied.append(migration)
            }
            if let grants { try connection.executeScript(unsafeSQL: grants, name: "grants") }
            return applied
        }
        for migration in applied {
            logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
        return applied
    }

    /// Reads, changing nothing, whether the database's schema is the one
    /// these migrations make.
    /// - Parameter allowingNewer: whether a schema that a newer build
    ///   migrated further will do (a service running on during a rolling
    ///   upgrade, whose migrations only add); it is logged.
    /// - Throws: ``SchemaNotCurrent`` when migrations are pending or, unless
    ///   allowed, the database has applied some this build does not know;
    ///   ``MigrationError`` when it applied a version under another name.
    public func checkCurrent(_ migrations: [Migration], allowingNewer: Bool = false) async throws {
        let ordered = try Migration.ordered(migrations)
        let recorded = try await pool.withConnection { connection -> [Int: String] in
            guard try connection.query("SELECT to_regclass('schema_migration') IS NOT NULL").decode(Bool.self)[0] else { return [:] }
            return try Self.recorded(on: connection, matching: ordered)
        }
        let known = Set(ordered.map(\.version))
        let pending = ordered.filter { recorded[$0.version] == nil }.count
        let unknown = recorded.keys.filter { !known.contains($0) }.count
        guard pending == 0, unknown == 0 || allowingNewer else {
            throw SchemaNotCurrent(pending: pending, unknown: unknown, latest: ordered.last?.version ?? 0)
        }
        if unknown > 0 {
            logger.warning(
                "the database's schema is newer than this build knows: running on, as a rolling upgrade does",
                metadata: ["migrations-past-this-build": "\(unknown)", "build-schema-version": "\(ordered.last?.version ?? 0)"])
        }
    }

    /// The migrations `schema_migration` records, by version.
    /// - Throws: ``MigrationError`` when it records one of `migrations` under another name.
    private static func recorded(on connection: PostgresConnection, matching migrations: [Migration]) throws -> [Int: String] {
        let recorded = Dictionary(
            uniqueKeysWithValues: try connection.query("SELECT version, name FROM schema_migration").decode((Int, String).self).map { ($0.0, $0.1) })
        for migration in migrations {
            if let name = recorded[migration.version], name != migration.name {
                throw MigrationError(
                    file: "\(migration.version)_\(migration.name).sql", problem: "the database applied version \(migration.version) as \(name)")
            }
        }
        return recorded
    }
}

/// The database's schema is not the one this build works with.
public struct SchemaNotCurrent: Error, CustomStringConvertible {
    /// This build's migrations the database has not applied.
    public let pending: Int
    /// Migrations the database applied that this build does not know (a newer build's).
    public let unknown: Int
    /// This build's latest schema version.
    public let latest: Int

    public var description: String {
        if unknown > 0 {
            return "the database's schema is newer than this turnaround knows (\(unknown) migration(s) past version \(latest)): use the newer build"
        }
        if pending == latest {
            return "the database has no turnaround schema: run turnaround migrate (or check DATABASE_URL names the right database)"
        }
        return "the database's schema is \(pending) migration(s) behind this turnaround (version \(latest)): run turnaround migrate"
    }
}

extension PostgresPool {
    /// A pool on a database whose schema is already the one this build's
    /// migrations make (or, `allowingNewer`, one a newer build migrated
    /// further); closed again if it is not.
    /// - Throws: ``SchemaNotCurrent``, ``MigrationError`` or ``PostgresError``.
    public static func current(
        _ configuration: PostgresConfiguration, logger: Logger, allowingNewer: Bool = false
    ) async throws -> PostgresPool {
        try await opened(configuration, logger: logger) { try await $0.checkCurrent(Migration.bundled(), allowingNewer: allowingNewer) }
    }

    /// A pool on a database whose schema this build's migrations brought up
    /// to date; closed again if they fail.
    public static func migrated(_ configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresPool {
        try await opened(configuration, logger: logger) { try await $0.applyBundled() }
    }

    /// A pool, once `prepare` did its work on the schema; closed again if it failed.
    private static func opened(
        _ configuration: PostgresConfiguration, logger: Logger, prepare: (MigrationRunner) async throws -> Void
    ) async throws -> PostgresPool {
        let pool = PostgresPool(configuration: configuration, logger: logger)
        do {
            try await prepare(MigrationRunner(pool: pool, logger: logger))
        } catch {
            pool.close()
            throw error
        }
        return pool
    }
}
