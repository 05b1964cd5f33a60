import Logging
import Postgres

/// Brings the deployment's schemas up to date (``DeploymentSchemas``).
///
/// Runners in every replica may start at once: each takes a transaction-level
/// advisory lock first, so one applies the pending migrations and the others,
/// once it commits, find nothing left to do. A migration and its record in
/// its schema's `schema_migration` commit together.
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

    /// Applies the migrations not yet applied, the base schema's first, then
    /// each stage's in its schema (made if missing), each in version order;
    /// then `grants` (a script that may run any number of times), in one
    /// transaction. The grants find each stage's schema's name in the setting
    /// `turnaround.<stage>_schema`.
    /// - Returns: the migrations this call applied.
    /// - Throws: ``MigrationError`` when the database records a migration
    ///   under another name than this build's file, or ``PostgresError``.
    @discardableResult
    public func apply(_ migrations: [Migration], thenRunning grants: String? = nil) async throws -> [Migration] {
        let ordered = try Migration.ordered(migrations)
        let applied = try await pool.withTransaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            let schemas = try DeploymentSchemas.current(on: connection)
            var applied: [Migration] = []
            for (stage, migrations) in Self.bySchema(ordered) {
                let schema = schemas.schema(of: stage)
                if stage != nil { try connection.execute("CREATE SCHEMA IF NOT EXISTS \(identifier: schema)") }
                // What a migration makes unqualified lands in its own schema.
                try DeploymentSchemas.setSearchPath(stage == nil ? [schema] : [schema, schemas.base], local: true, on: connection)
                try connection.executeScript(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS schema_migration (
                            version    integer     PRIMARY KEY,
                            name       text        NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """, name: "create schema_migration")
                let recorded = try Self.recorded(in: schema, on: connection, matching: migrations)
                for migration in migrations where recorded[migration.version] == nil {
                    try connection.executeScript(unsafeSQL: migration.sql, name: "migration \(migration.fileName)")
                    try connection.execute(
                        "INSERT INTO schema_migration (version, name) VALUES (\(migration.version), \(migration.name))")
                    applied.append(migration)
                }
            }
            if let grants {
                try DeploymentSchemas.setSearchPath([schemas.base], local: true, on: connection)
                for stage in Stage.allCases {
                    try connection.execute("SELECT set_config(\("turnaround.\(stage.rawValue)_schema"), \(schemas.schema(of: stage)), true)")
                }
                try connection.executeScript(unsafeSQL: grants, name: "grants")
            }
            return applied
        }
        for migration in applied {
            logger.info("migration applied", metadata: ["file": "\(migration.fileName)"])
        }
        return applied
    }

    /// Reads, changing nothing, whether the database's schemas are the ones
    /// these migrations make (those a service uses: the base's and its stage's).
    /// - Parameter allowingNewer: whether a schema that a newer build
    ///   migrated further will do (a service running on during a rolling
    ///   upgrade, whose migrations only add); it is logged.
    /// - Throws: ``SchemaNotCurrent`` when migrations are pending or, unless
    ///   allowed, the database has applied some this build does not know;
    ///   ``MigrationError`` when it applied a version under another name.
    public func checkCurrent(_ migrations: [Migration], allowingNewer: Bool = false) async throws {
        let ordered = try Migration.ordered(migrations)
        let (pending, unknown) = try await pool.withConnection { connection -> (Int, Int) in
            let schemas = try DeploymentSchemas.current(on: connection)
            var pending = 0
            var unknown = 0
            for (stage, migrations) in Self.bySchema(ordered) {
                let schema = schemas.schema(of: stage)
                let exists = try connection.query(
                    "SELECT EXISTS (SELECT FROM pg_tables WHERE schemaname = \(schema) AND tablename = 'schema_migration')"
                ).decode(Bool.self)[0]
                let recorded = exists ? try Self.recorded(in: schema, on: connection, matching: migrations) : [:]
                let known = Set(migrations.map(\.version))
                pending += migrations.filter { recorded[$0.version] == nil }.count
                unknown += recorded.keys.filter { !known.contains($0) }.count
            }
            return (pending, unknown)
        }
        guard pending == 0, unknown == 0 || allowingNewer else {
            throw SchemaNotCurrent(pending: pending, unknown: unknown, known: ordered.count)
        }
        if unknown > 0 {
            logger.warning(
                "the database's schema is newer than this build knows: running on, as a rolling upgrade does",
                metadata: ["migrations-past-this-build": "\(unknown)", "build-migrations": "\(ordered.count)"])
        }
    }

    /// Ordered migrations grouped by schema: the base's, then each stage's.
    private static func bySchema(_ ordered: [Migration]) -> [(Stage?, [Migration])] {
        var groups: [(Stage?, [Migration])] = []
        for migration in ordered {
            if let last = groups.indices.last, groups[last].0 == migration.stage {
                groups[last].1.append(migration)
            } else {
                groups.append((migration.stage, [migration]))
            }
        }
        return groups
    }

    /// The migrations `schema`'s `schema_migration` records, by version.
    /// - Throws: ``MigrationError`` when it records one of `migrations` under another name.
    private static func recorded(in schema: String, on connection: PostgresConnection, matching migrations: [Migration]) throws -> [Int: String] {
        let recorded = Dictionary(
            uniqueKeysWithValues: try connection.query("SELECT version, name FROM \(identifier: schema).schema_migration")
                .decode((Int, String).self).map { ($0.0, $0.1) })
        for migration in migrations {
            if let name = recorded[migration.version], name != migration.name {
                throw MigrationError(file: migration.fileName, problem: "the database applied version \(migration.version) as \(name)")
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
    /// How many migrations this build has.
    public let known: Int

    public var description: String {
        if unknown > 0 {
            return "the database's schema is newer than this turnaround knows (\(unknown) migration(s) it does not have): use the newer build"
        }
        if pending == known {
            return "the database has no turnaround schema: run turnaround migrate (or check DATABASE_URL names the right database)"
        }
        return "the database's schema is \(pending) migration(s) behind this turnaround: run turnaround migrate"
    }
}

extension PostgresPool {
    /// A pool on a deployment whose schemas are already the ones this
    /// build's migrations make (or, `allowingNewer`, ones a newer build
    /// migrated further), its sessions finding every table the role may use
    /// by name; closed again if they are not.
    /// - Parameter stage: the stage the pool serves: only its schema and the
    ///   base are checked. Nil checks every schema.
    /// - Throws: ``SchemaNotCurrent``, ``MigrationError`` or ``PostgresError``.
    public static func current(
        _ configuration: PostgresConfiguration, logger: Logger, stage: Stage? = nil, allowingNewer: Bool = false
    ) async throws -> PostgresPool {
        try await opened(configuration, logger: logger) {
            try await $0.checkCurrent(
                Migration.serving(stage, of: Migration.bundled()), allowingNewer: allowingNewer)
        }
    }

    /// A pool on a deployment whose schemas this build's migrations brought
    /// up to date; closed again if they fail.
    public static func migrated(_ configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresPool {
        try await opened(configuration, logger: logger) { try await $0.applyBundled() }
    }

    /// A pool whose sessions search the deployment's schemas, once `prepare`
    /// did its work on them; closed again if it failed.
    private static func opened(
        _ configuration: PostgresConfiguration, logger: Logger, prepare: (MigrationRunner) async throws -> Void
    ) async throws -> PostgresPool {
        let pool = PostgresPool(configuration: configuration.searchingDeploymentSchemas(), logger: logger)
        do {
            try await prepare(MigrationRunner(pool: pool, logger: logger))
        } catch {
            pool.close()
            throw error
        }
        return pool
    }
}
