import ArgumentParser
import Foundation
import Kafka
import Logging
import Postgres
import Store
import Synchronization
import Vocabulary

/// Options every subcommand shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .warning

    /// Sets up logging to standard error, the first time in the process, and returns the CLI's logger.
    func makeLogger() -> Logger {
        let level = logLevel
        Self.loggingBootstrapped.withLock { bootstrapped in
            guard !bootstrapped else { return }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            bootstrapped = true
        }
        return Logger(label: "turnaround.cli")
    }

    /// swift-log allows one bootstrap a process; a command may ask for its logger twice.
    private static let loggingBootstrapped = Mutex(false)

    func postgresConfiguration() throws -> PostgresConfiguration {
        try PostgresConfiguration.fromEnvironment(applicationName: "turnaround-cli")
    }

    /// A pool on the database as it is, migrating nothing: for commands a
    /// role narrower than the schema's owner runs (the dead-letter tools).
    func plainPool(logger: Logger) throws -> PostgresPool {
        PostgresPool(configuration: try postgresConfiguration(), logger: logger)
    }

    /// A pool on a database whose schema is this build's; only `turnaround
    /// migrate` changes the schema, so a wrong or new database is named, not
    /// silently made.
    /// - Throws: ``SchemaNotCurrent`` saying to run `turnaround migrate`.
    func pool(logger: Logger) async throws -> PostgresPool {
        try await .current(try postgresConfiguration(), logger: logger)
    }

    /// Runs `body` with a pool on a database whose schema is this build's, closed afterwards.
    func withPool<Value: Sendable>(_ body: (PostgresPool) async throws -> Value) async throws -> Value {
        let pool = try await pool(logger: makeLogger())
        defer { pool.close() }
        return try await body(pool)
    }

    /// Runs `body` in one transaction on a database whose schema is this build's: all of it, or nothing.
    func inTransaction<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Value) async throws -> Value {
        try await withPool { try await $0.withTransaction(.readCommitted, body) }
    }

    func kafkaConfiguration() throws -> KafkaConfiguration {
        try KafkaConfiguration.fromEnvironment(clientID: "turnaround-cli")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Refuses a claim window not written as the programme writes it, so a
/// mistyped window is a usage error rather than an empty answer.
func validateClaimWindow(_ window: String?, option: String = "--window") throws {
    if let window, ClaimWindow(window) == nil {
        throw ValidationError("\(option) \"\(window)\" is not a claim window (\(ClaimWindow.form))")
    }
}
