import Kafka
import Logging
import Postgres
import ServiceLifecycle
import Store
import UnixSignals

/// Runs a service: applies the migrations, then consumes with the handler and
/// relays the outbox until SIGTERM or SIGINT, and shuts down gracefully
/// within the configured timeout.
public enum Worker {
    public static func run<Handler: WorkerHandler>(
        _ handler: Handler, options: ResolvedWorkerOptions, logger: Logger
    ) async throws {
        let pool = PostgresPool(configuration: options.postgres, logger: logger)
        defer { pool.close() }
        try await MigrationRunner(pool: pool, logger: logger).apply(Migration.bundled())
        let group = try serviceGroup(
            handler, configuration: options.worker, pool: pool, postgres: options.postgres, kafka: options.kafka,
            runsRelay: options.runsRelay, shutdownTimeout: options.shutdownTimeout, logger: logger,
            signals: [.sigterm, .sigint])
        try await group.run()
    }

    /// The services of a worker, in start order: the relay, then the
    /// consumer, so the consumer stops first and the relay publishes what its
    /// last batch wrote.
    public static func serviceGroup<Handler: WorkerHandler>(
        _ handler: Handler, configuration: WorkerConfiguration, pool: PostgresPool, postgres: PostgresConfiguration,
        kafka: KafkaConfiguration, runsRelay: Bool = true, shutdownTimeout: Duration, logger: Logger, signals: [UnixSignal]
    ) throws -> ServiceGroup {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if runsRelay {
            let producer = try KafkaProducer(configuration: kafka, logger: logger)
            services.append(.init(service: OutboxRelay(configuration: configuration, postgres: postgres, producer: producer, logger: logger)))
        }
        let consumer = try ConsumerWorker(
            handler: handler, configuration: configuration, pool: pool, kafka: kafka, logger: logger)
        services.append(.init(service: consumer, successTerminationBehavior: .gracefullyShutdownGroup))
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: groupConfiguration)
    }
}
