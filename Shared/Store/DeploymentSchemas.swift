import Postgres

/// A pipeline stage, owner of a schema of its own.
public enum Stage: String, CaseIterable, Sendable {
    case intake, screening, claims
}

/// Where a deployment's tables live.
///
/// The runtime's tables (inbox, outbox, dead letters, backlogs) and the
/// rulesets are in the base schema: the connection's current schema, so
/// `public` unless the URL's `search_path` names another. Each stage's tables
/// are in a schema of the stage's own, which its role alone (and the owner)
/// may use: `intake`, `screening` and `claims` beside `public`, and
/// `<base>_intake` and so on beside any other base, so several deployments
/// (or tests) share a database without sharing tables.
public struct DeploymentSchemas: Sendable, Hashable {
    public let base: String

    public init(base: String) {
        self.base = base
    }

    /// A stage's schema; the base for nil.
    public func schema(of stage: Stage?) -> String {
        guard let stage else { return base }
        return base == "public" ? stage.rawValue : base + "_" + stage.rawValue
    }

    /// The base schema, then every stage's: a session's search path. Table
    /// names differ across the schemas, so the order only puts unqualified
    /// new objects in the base; a stage's role skips the schemas it may not use.
    public var searchPath: [String] { [base] + Stage.allCases.map { schema(of: $0) } }

    /// The deployment whose base schema is the session's current schema.
    /// - Throws: ``PostgresError`` (``PostgresError/Code/invalidConfiguration``)
    ///   when no schema of the search path exists.
    public static func current(on connection: PostgresConnection) throws -> DeploymentSchemas {
        guard let base = try connection.query("SELECT current_schema()::text").decode(String?.self).first ?? nil else {
            throw PostgresError(
                .invalidConfiguration,
                serverMessage: "no schema of the connection's search_path exists: create it, or name one that does in DATABASE_URL's options")
        }
        return DeploymentSchemas(base: base)
    }

    /// Drops the base schema and every stage's, with all they hold.
    public func dropAll(on connection: PostgresConnection) throws {
        try connection.execute("DROP SCHEMA IF EXISTS \(identifiers: searchPath) CASCADE")
    }

    /// Sets the session's search path to `path`, for the transaction alone if `local`.
    static func setSearchPath(_ path: [String], local: Bool, on connection: PostgresConnection) throws {
        try connection.execute("SET \(unescaped: local ? "LOCAL " : "")search_path TO \(identifiers: path)")
    }
}

extension PostgresConfiguration {
    /// This configuration, its sessions finding every table of the deployment
    /// by name: the base schema's first, then the stages' (those the role may use).
    public func searchingDeploymentSchemas() -> PostgresConfiguration {
        var configuration = self
        configuration.sessionSetup = { try DeploymentSchemas.setSearchPath(DeploymentSchemas.current(on: $0).searchPath, local: false, on: $0) }
        return configuration
    }
}
