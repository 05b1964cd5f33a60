import Foundation

/// One schema change: a numbered SQL file named `NNNN_what_it_does.sql`,
/// applied once, in version order, in its schema (``DeploymentSchemas``).
///
/// The runtime's tables and the rulesets change in `Migrations/`, applied in
/// the base schema; each stage's tables in `Migrations/<stage>/`, applied in
/// the stage's schema after the base's, each schema numbering its own and
/// recording them in its own `schema_migration`. A stage's migration sees its
/// own schema and the base, never another stage's. (Until each stage's first
/// migration moved its tables out, the base's migrations made every table.)
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String
    /// The stage whose schema this migration changes; nil for the base schema.
    public var stage: Stage?

    public init(version: Int, name: String, sql: String, stage: Stage? = nil) {
        self.version = version
        self.name = name
        self.sql = sql
        self.stage = stage
    }

    /// The migrations shipped with this build: the base schema's, then each
    /// stage's, each in version order.
    /// - Throws: ``MigrationError`` naming a file whose name is malformed or
    ///   whose version is taken twice.
    public static func bundled() throws -> [Migration] {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Migrations") else {
            throw MigrationError(file: "Migrations", problem: "the resource folder is missing from the build")
        }
        func files(in folder: URL) throws -> [URL] {
            try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "sql" }
        }
        var migrations = try files(in: folder).map { try Migration(file: $0) }
        for stage in Stage.allCases {
            migrations += try files(in: folder.appendingPathComponent(stage.rawValue)).map { try Migration(file: $0, stage: stage) }
        }
        return try ordered(migrations)
    }

    /// Those of `migrations` a stage's service works with: the base
    /// schema's and its own stage's; every one for nil.
    public static func serving(_ stage: Stage?, of migrations: [Migration]) -> [Migration] {
        migrations.filter { stage == nil || $0.stage == nil || $0.stage == stage }
    }

    /// The stages' roles and their rights (`Grants.sql`), which every run of
    /// the bundled migrations applies after them, whether or not one was pending.
    public static func bundledGrants() throws -> String {
        guard let file = Bundle.module.url(forResource: "Grants", withExtension: "sql") else {
            throw MigrationError(file: "Grants.sql", problem: "the resource is missing from the build")
        }
        return try String(contentsOf: file, encoding: .utf8)
    }

    /// Reads one migration file, of `stage`'s schema or the base's.
    public init(file: URL, stage: Stage? = nil) throws {
        let stem = file.deletingPathExtension().lastPathComponent
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0 else {
            throw MigrationError(
                file: file.lastPathComponent, problem: "the name must be NNNN_description.sql with NNNN from 0001")
        }
        self.init(version: version, name: String(parts[1]), sql: try String(contentsOf: file, encoding: .utf8), stage: stage)
    }

    /// The file's name, with its stage's folder.
    public var fileName: String {
        (stage.map { $0.rawValue + "/" } ?? "") + String(format: "%04d_", version) + name + ".sql"
    }

    /// Sorts migrations: the base schema's first, then each stage's, each by version.
    /// - Throws: ``MigrationError`` when two of a schema share a version.
    public static func ordered(_ migrations: [Migration]) throws -> [Migration] {
        func place(_ migration: Migration) -> (Int, Int) {
            (migration.stage.flatMap { Stage.allCases.firstIndex(of: $0).map { $0 + 1 } } ?? 0, migration.version)
        }
        let sorted = migrations.sorted { place($0) < place($1) }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where earlier.stage == later.stage && earlier.version == later.version {
            throw MigrationError(file: later.fileName, problem: "both \(earlier.name) and \(later.name) claim this version")
        }
        return sorted
    }
}

/// A migration that cannot be applied, with the file and the problem.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var problem: String

    public var description: String { "migration \(file): \(problem)" }
}
