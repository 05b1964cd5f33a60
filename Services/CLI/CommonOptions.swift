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

    @Option(help: "Seconds to wait for a server (PostgreSQL to connect, Kafka to take a message) before giving up.")
    var timeout = 10

    @Flag(help: "Print nothing when a command succeeds but what it was asked for (listings, reports); problems still go to standard error.")
    var quiet = false

    /// Prints a line saying what a command did, unless `--quiet`.
    func say(_ line: String) {
        if !quiet { print(line) }
    }

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
        var configuration = try PostgresConfiguration.fromEnvironment(applicationName: "turnaround-cli")
        configuration.connectTimeout = .seconds(timeout)
        return configuration
    }

    /// A pool on the database as it is, checking nothing: for commands a
    /// role narrower than the schema's owner runs (the dead-letter tools).
    func plainPool(logger: Logger) throws -> PostgresPool {
        PostgresPool(configuration: try postgresConfiguration().searchingDeploymentSchemas(), logger: logger)
    }

    /// A pool on a database whose schema is this build's; only `turnaround
    /// migrate` changes the schema, so a wrong or new database is named, not
    /// silently made.
    /// - Throws: ``SchemaNotCurrent`` saying to run `turnaround migrate`.
    func pool(logger: Logger) async throws -> PostgresPool {
        let configuration = try postgresConfiguration()
        return try await waiting(for: "PostgreSQL (\(Self.server(of: configuration)))") { try await .current(configuration, logger: logger) }
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

    /// Kafka as the environment names it; a message not delivered within
    /// `--timeout` fails (unless `KAFKA_PROP_MESSAGE_TIMEOUT_MS` says otherwise).
    func kafkaConfiguration() throws -> KafkaConfiguration {
        var configuration = try KafkaConfiguration.fromEnvironment(clientID: "turnaround-cli")
        if configuration.properties["message.timeout.ms"] == nil { configuration.properties["message.timeout.ms"] = String(timeout * 1000) }
        return configuration
    }

    /// Runs `body`, and once it has waited 2 s says on standard error what it waits for.
    func waiting<Value: Sendable>(for what: String, _ body: () async throws -> Value) async throws -> Value {
        let seconds = timeout
        let notice = Task {
            try await Task.sleep(for: .seconds(2))
            FileHandle.standardError.write(Data("waiting for \(what), up to \(seconds) s (--timeout)\n".utf8))
        }
        defer { notice.cancel() }
        return try await body()
    }

    /// `host:port/database` of a connection URI, for saying what is awaited; never its password.
    static func server(of configuration: PostgresConfiguration) -> String {
        guard let url = URLComponents(string: configuration.url), let host = url.host, !host.isEmpty else { return "DATABASE_URL" }
        return "\(host):\(url.port ?? 5432)\(url.path)"
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

/// Refuses a `--by` that names nobody: every move a user makes is kept under their staff id.
func validateStaffID(_ by: String) throws {
    if by.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--by must not be empty") }
}

/// Instants as the CLI reads and writes them: ISO 8601, in UTC.
enum Instant {
    /// A day (from 00:00 UTC) or an ISO 8601 time with its zone, as `--since` and `--until` take them.
    /// - Throws: `ValidationError` naming `option` and the forms it takes.
    static func parse(_ text: String, option: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw ValidationError("\(option) \(text) is not a date (2026-12-01) or a time with its zone (2026-12-01T09:30:00Z)")
    }

    /// `2026-12-07T09:30:00.123Z`.
    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
