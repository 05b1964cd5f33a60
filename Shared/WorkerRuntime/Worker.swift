import Kafka
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle
import Store
import UnixSignals

/// Runs a service: applies the migrations, then consumes with the handler,
/// relays the outbox and serves the ops port until SIGTERM or SIGINT, and
/// shuts down gracefully within the configured timeout.
public enum Worker {
    /// Sends logs to standard error and metrics to a Prometheus registry, once
    /// per process, before anything logs or counts.
    /// - Returns: the registry to pass to ``run(_:options:registry:logger:)``.
    public static func bootstrapProcess() -> PrometheusCollectorRegistry {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// - Parameter registry: the registry the process bootstrapped swift-metrics
    ///   with, served at `/metrics`.
    public static func run<Handler: WorkerHandler>(
        _ handler: Handler, options: ResolvedWorkerOptions, registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        let pool = PostgresPool(configuration: options.postgres, logger: logger)
        defer { pool.close() }
        try await MigrationRunner(pool: pool, logger: logger).apply(Migration.bundled())
        let consumer = try ConsumerWorker(
            handler: handler, configuration: options.worker, pool: pool, kafka: options.kafka, logger: logger)
        let ops = OpsServer(port: options.httpPort, registry: registry, logger: logger) {
            do {
                try await pool.withConnection { try $0.execute("SELECT 1") }
            } catch {
                return (false, "not ready: postgres does not answer")
            }
            return consumer.hasJoinedGroup ? (true, "ready") : (false, "not ready: the consumer has not joined its group")
        }
        let group = try serviceGroup(
            consumer, postgres: options.postgres, kafka: options.kafka, runsRelay: options.runsRelay,
            shutdownTimeout: options.shutdownTimeout, logger: logger, signals: [.sigterm, .sigint], first: [ops])
        try await group.run()
    }

    /// The services of a worker, in start order: `first` (the ops port), the
    /// relay, then the consumer. They stop in reverse: the consumer first, then
    /// the relay publishes what its last batch wrote, and the ops port last.
    public static func serviceGroup<Handler: WorkerHandler>(
        _ consumer: ConsumerWorker<Handler>, postgres: PostgresConfiguration, kafka: KafkaConfiguration,
        runsRelay: Bool = true, shutdownTimeout: Duration, logger: Logger, signals: [UnixSignal],
        first: [any Service] = []
    ) throws -> ServiceGroup {
        var services = first.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        if runsRelay {
            let producer = try KafkaProducer(configuration: kafka, logger: logger)
            services.append(
                .init(service: OutboxRelay(configuration: consumer.configuration, postgres: postgres, producer: producer, logger: logger)))
        }
        services.append(.init(service: consumer, successTerminationBehavior: .gracefullyShutdownGroup))
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: groupConfiguration)
    }
}
