import ArgumentParser
import Foundation
import Kafka
import Postgres
import Settings

/// A worker's command-line options; each falls back to its environment
/// variable, then to its default (``ServiceSettings/worker``), so containers
/// configure workers with environment variables alone.
public struct WorkerOptions: ParsableArguments {
    @Option(name: .customLong(S.batchSize.option!), help: ArgumentHelp(S.batchSize.help)) var batchSize: String?
    @Option(name: .customLong(S.lanes.option!), help: ArgumentHelp(S.lanes.help)) var lanes: String?
    @Option(name: .customLong(S.batchMaxWait.option!), help: ArgumentHelp(S.batchMaxWait.help)) var batchMaxWaitMs: String?
    @Option(name: .customLong(S.commitInterval.option!), help: ArgumentHelp(S.commitInterval.help)) var commitIntervalMs: String?
    @Option(name: .customLong(S.retryMaxDelay.option!), help: ArgumentHelp(S.retryMaxDelay.help)) var retryMaxDelayMs: String?
    @Option(name: .customLong(S.retention.option!), help: ArgumentHelp(S.retention.help)) var retentionHours: String?
    @Option(name: .customLong(S.deadLetterRetention.option!), help: ArgumentHelp(S.deadLetterRetention.help)) var deadLetterRetentionDays: String?
    @Option(name: .customLong(S.shutdownTimeout.option!), help: ArgumentHelp(S.shutdownTimeout.help)) var shutdownTimeoutS: String?
    @Option(name: .customLong(S.httpPort.option!), help: ArgumentHelp(S.httpPort.help)) var httpPort: String?
    @Option(name: .customLong(S.relay.option!), help: ArgumentHelp(S.relay.help)) var relay: String?

    private typealias S = ServiceSettings

    public init() {}

    /// The worker's configuration; also reads the connections' settings
    /// (``ServiceSettings/connections``).
    /// - Throws: ``SettingError`` naming the variable or option that is missing or malformed.
    public func resolve(
        serviceName: String, topics: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SettingError) -> ResolvedWorkerOptions {
        let settings = SettingsReader(environment: environment)
        let worker = WorkerConfiguration(
            serviceName: serviceName, topics: topics,
            batchSize: try settings.value(S.batchSize, option: batchSize),
            lanes: try settings.value(S.lanes, option: lanes),
            batchMaxWait: .milliseconds(try settings.value(S.batchMaxWait, option: batchMaxWaitMs)),
            commitInterval: .milliseconds(try settings.value(S.commitInterval, option: commitIntervalMs)),
            retryMaxDelay: .milliseconds(try settings.value(S.retryMaxDelay, option: retryMaxDelayMs)),
            retention: .seconds(3600 * (try settings.value(S.retention, option: retentionHours))),
            deadLetterRetention: .seconds(24 * 3600 * (try settings.value(S.deadLetterRetention, option: deadLetterRetentionDays))))
        return ResolvedWorkerOptions(
            worker: worker,
            postgres: try PostgresConfiguration.fromEnvironment(environment, applicationName: serviceName),
            kafka: try KafkaConfiguration.fromEnvironment(environment, clientID: serviceName),
            shutdownTimeout: .seconds(try settings.value(S.shutdownTimeout, option: shutdownTimeoutS)),
            runsRelay: try settings.value(S.relay, option: relay) == "on",
            httpPort: UInt16(try settings.value(S.httpPort, option: httpPort)))
    }

    /// What a worker's `--help` says of the settings it reads from the
    /// environment alone, after its options.
    public static let environmentHelp: String = {
        let environmentOnly = (ServiceSettings.connections + ServiceSettings.worker).filter { $0.option == nil }
        return "Also reads, from the environment:\n" + environmentOnly.map { "  " + $0.environmentHelp }.joined(separator: "\n")
    }()
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
