import ArgumentParser
import Foundation
import Kafka
import Postgres

/// A worker's command-line options; each falls back to its environment
/// variable, then to its default, so containers configure workers with
/// environment variables alone.
public struct WorkerOptions: ParsableArguments {
    @Option(help: "Messages applied in one transaction. Env WORKER_BATCH_SIZE; default 500.")
    var batchSize: Int?

    @Option(help: "Transactions applying messages side by side, each over whole partitions. Env WORKER_LANES; default 4.")
    var lanes: Int?

    @Option(help: "Milliseconds a poll waits for a first message. Env WORKER_BATCH_MAX_WAIT_MS; default 100.")
    var batchMaxWaitMs: Int?

    @Option(help: "Milliseconds between commits of applied offsets to Kafka. Env WORKER_COMMIT_INTERVAL_MS; default 100.")
    var commitIntervalMs: Int?

    @Option(help: "Longest pause, in milliseconds, between retries of a transient fault. Env WORKER_RETRY_MAX_DELAY_MS; default 10000.")
    var retryMaxDelayMs: Int?

    @Option(help: "Hours applied events stay in the inbox and published ones in the outbox; keep it above the longest redelivery to survive. Env WORKER_RETENTION_HOURS; default 168 (7 days).")
    var retentionHours: Int?

    @Option(help: "Days a dead letter keeps its original bytes for `turnaround dlq show` and `replay`. Env WORKER_DEAD_LETTER_RETENTION_DAYS; default 30.")
    var deadLetterRetentionDays: Int?

    @Option(help: "Seconds a graceful shutdown may take. Env WORKER_SHUTDOWN_TIMEOUT_S; default 30.")
    var shutdownTimeoutS: Int?

    @Option(help: "Port of /healthz, /readyz and /metrics. Env WORKER_HTTP_PORT; default 8080.")
    var httpPort: Int?

    @Option(help: "Whether this process publishes the outbox: on or off (when relays run apart). Env WORKER_RELAY; default on.")
    var relay: String?

    public init() {}

    /// The worker's configuration; also reads `DATABASE_URL`, `KAFKA_BROKERS`
    /// and `KAFKA_PROP_*` (see the README).
    /// - Throws: ``WorkerOptionsError`` naming the variable or option that is malformed.
    public func resolve(
        serviceName: String, topics: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ResolvedWorkerOptions {
        func number(_ option: Int?, _ variable: String, default fallback: Int) throws -> Int {
            try Self.positiveNumber(option, variable: variable, default: fallback, environment: environment)
        }
        let relaySetting = relay ?? environment["WORKER_RELAY"] ?? "on"
        guard ["on", "off"].contains(relaySetting) else { throw WorkerOptionsError(variable: "WORKER_RELAY", expected: "on or off") }
        let worker = WorkerConfiguration(
            serviceName: serviceName, topics: topics,
            batchSize: try number(batchSize, "WORKER_BATCH_SIZE", default: 500),
            lanes: try number(lanes, "WORKER_LANES", default: 4),
            batchMaxWait: .milliseconds(try number(batchMaxWaitMs, "WORKER_BATCH_MAX_WAIT_MS", default: 100)),
            commitInterval: .milliseconds(try number(commitIntervalMs, "WORKER_COMMIT_INTERVAL_MS", default: 100)),
            retryMaxDelay: .milliseconds(try number(retryMaxDelayMs, "WORKER_RETRY_MAX_DELAY_MS", default: 10_000)),
            retention: .seconds(3600 * (try number(retentionHours, "WORKER_RETENTION_HOURS", default: 168))),
            deadLetterRetention: .seconds(24 * 3600 * (try number(deadLetterRetentionDays, "WORKER_DEAD_LETTER_RETENTION_DAYS", default: 30))))
        return ResolvedWorkerOptions(
            worker: worker,
            postgres: try PostgresConfiguration.fromEnvironment(environment, applicationName: serviceName),
            kafka: try KafkaConfiguration.fromEnvironment(environment, clientID: serviceName),
            shutdownTimeout: .seconds(try number(shutdownTimeoutS, "WORKER_SHUTDOWN_TIMEOUT_S", default: 30)),
            runsRelay: relaySetting == "on",
            httpPort: UInt16(clamping: try number(httpPort, "WORKER_HTTP_PORT", default: 8080)))
    }
}

extension WorkerOptions {
    /// A positive whole-number setting: the option if given, else its
    /// environment variable, else the default.
    /// - Throws: ``WorkerOptionsError`` naming the variable when the option
    ///   or the variable is not a positive whole number.
    public static func positiveNumber(_ option: Int?, variable: String, default fallback: Int, environment: [String: String]) throws -> Int {
        guard let value = option ?? environment[variable].map({ Int($0) ?? 0 }) else { return fallback }
        guard value > 0 else { throw WorkerOptionsError(variable: variable, expected: "a positive whole number") }
        return value
    }
}

/// Everything a worker process needs to start.
public struct ResolvedWorkerOptions: Sendable {
    public var worker: WorkerConfiguration
    public var postgres: PostgresConfiguration
    public var kafka: KafkaConfiguration
    public var shutdownTimeout: Duration
    public var runsRelay: Bool
    public var httpPort: UInt16
}

/// A malformed setting, by name; its value is not repeated.
public struct WorkerOptionsError: Error, CustomStringConvertible, Sendable {
    public var variable: String
    public var expected: String
    public var description: String { "\(variable) must be \(expected)" }
}
