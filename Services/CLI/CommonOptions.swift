import ArgumentParser
import Foundation
import Kafka
import Logging
import Postgres
import Store

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .warning

    /// Sets up logging to standard error, once per process, and returns the CLI's logger.
    func makeLogger() -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "turnaround.cli")
    }

    func postgresConfiguration() throws -> PostgresConfiguration {
        try PostgresConfiguration.fromEnvironment(applicationName: "turnaround-cli")
    }

    /// A pool on the database as it is, migrating nothing: for commands a
    /// role narrower than the schema's owner runs (the dead-letter tools).
    func plainPool(logger: Logger) throws -> PostgresPool {
        PostgresPool(configuration: try postgresConfiguration(), logger: logger)
    }

    /// A pool on a database whose schema is up to date.
    func migratedPool(logger: Logger) async throws -> PostgresPool {
        try await .migrated(try postgresConfiguration(), logger: logger)
    }

    /// Runs `body` with a pool on an up-to-date schema, closed afterwards.
    func withMigratedPool<Value: Sendable>(_ body: (PostgresPool) async throws -> Value) async throws -> Value {
        let pool = try await migratedPool(logger: makeLogger())
        defer { pool.close() }
        return try await body(pool)
    }

    /// Runs `body` in one transaction on an up-to-date schema: all of it, or nothing.
    func inTransaction<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Value) async throws -> Value {
        try await withMigratedPool { try await $0.withTransaction(.readCommitted, body) }
    }

    func kafkaConfiguration() throws -> KafkaConfiguration {
        try KafkaConfiguration.fromEnvironment(clientID: "turnaround-cli")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
