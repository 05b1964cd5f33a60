import Foundation
import Kafka
import Logging
import Postgres
import Store

/// The real servers the integration tests use, started by `scripts/dev test`.
public enum TestEnvironment {
    /// Thrown when a test runs outside `scripts/dev test`, so it fails with
    /// the reason instead of passing without its servers.
    public struct Missing: Error, CustomStringConvertible {
        public let variable: String
        public var description: String { "\(variable) is not set: run the tests with scripts/dev test" }
    }

    /// The repository's root folder.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func databaseURL() throws -> String {
        try variable("TURNAROUND_TEST_DATABASE_URL")
    }

    /// `url` with its connections' search path set to `schema` (a process of
    /// the tests' own, in a test's schema) and, given `role`, working as that
    /// role (a stage's: `turnaround_screening`), beside the URL's other parameters.
    public static func databaseURL(_ url: String, searchPath schema: String, role: String? = nil) -> String {
        PostgresConfiguration.url(url, startingSessionsWith: ["search_path=" + schema] + (role.map { ["role=" + $0] } ?? []))
    }

    public static func kafkaConfiguration(properties: [String: String] = [:]) throws -> KafkaConfiguration {
        KafkaConfiguration(
            brokers: try variable("TURNAROUND_TEST_KAFKA_BROKERS").split(separator: ",").map(String.init),
            clientID: "turnaround-tests", properties: properties)
    }

    /// A logger that discards everything: tests never bootstrap logging.
    public static let logger = Logger(label: "turnaround.tests") { _ in SwiftLogNoOpLogHandler() }

    /// A name no other test uses, for topics, groups and schemas.
    public static func uniqueName(_ prefix: String) -> String {
        prefix + "_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// Runs `body` with a pool whose connections work in a new, empty schema
    /// of the test database (or of `databaseURL`), finding its stages' schemas
    /// once migrated (``DeploymentSchemas``), and drops them all afterwards.
    @discardableResult
    public static func withTestSchema<Value>(
        maxConnections: Int = 4, databaseURL chosenURL: String? = nil, _ body: (PostgresPool) async throws -> Value
    ) async throws -> Value {
        let schema = uniqueName("test")
        let url = try chosenURL ?? databaseURL()
        let admin = PostgresPool(configuration: PostgresConfiguration(url: url, maxConnections: 1), logger: logger)
        defer { admin.close() }
        try await admin.withConnection { try $0.execute("CREATE SCHEMA \(identifier: schema)") }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url: url, maxConnections: maxConnections, searchPath: [schema]).searchingDeploymentSchemas(),
            logger: logger)
        let outcome: Result<Value, any Error>
        do {
            outcome = .success(try await body(pool))
        } catch {
            outcome = .failure(error)
        }
        pool.close()
        try await admin.withConnection { try DeploymentSchemas(base: schema).dropAll(on: $0) }
        return try outcome.get()
    }

    private static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { throw Missing(variable: name) }
        return value
    }
}
