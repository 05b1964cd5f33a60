import Foundation

/// One schema change: a numbered SQL file in `Migrations/`, named
/// `NNNN_what_it_does.sql`, applied once, in version order.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations shipped with this build, in version order.
    /// - Throws: ``MigrationError`` naming a file whose name is malformed or
    ///   whose version is taken twice.
    public static func bundled() throws -> [Migration] {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Migrations") else {
            throw MigrationError(file: "Migrations", problem: "the resource folder is missing from the build")
        }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        return try ordered(files.map { try Migration(file: $0) })
    }

    /// The stages' roles and their rights (`Grants.sql`), which every run of
    /// the bundled migrations applies after them, whether or not one was pending.
    public static func bundledGrants() throws -> String {
        guard let file = Bundle.module.url(forResource: "Grants", withExtension: "sql") else {
            throw MigrationError(file: "Grants.sql", problem: "the resource is missing from the build")
        }
        return try String(contentsOf: file, encoding: .utf8)
    }

    /// Reads one migration file.
    public init(file: URL) throws {
        let stem = file.deletingPathExtension().lastPathComponent
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0 else {
            throw MigrationError(
                file: file.lastPathComponent, problem: "the name must be NNNN_description.sql with NNNN from 0001")
        }
        self.init(version: version, name: String(parts[1]), sql: try String(contentsOf: file, encoding: .utf8))
    }

    /// Sorts migrations by version.
    /// - Throws: ``MigrationError`` when two share a version.
    public static func ordered(_ migrations: [Migration]) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where earlier.version == later.version {
            throw MigrationError(
                file: "\(later.version)", problem: "both \(earlier.name) and \(later.name) claim this version")
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
