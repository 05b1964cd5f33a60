import Kafka
import Logging
import Postgres
import ServiceLifecycle
import Store
import UnixSignals

/// Runs a service: applies the migrations, then consumes with the handler and
/// relays the outbox until SIGTERM or SIGINT, and shuts down gracefully
/// within `shutdownTimeout`.
public enum Worker {
    public static func run<Handler: WorkerHandler>(
        _ handler: Handler, configuration: WorkerConfiguration, postgres: PostgresConfiguration, kafka: KafkaConfiguration,
        shutdownTimeout: Duration = .seconds(30), logger: Logger
    ) async throws {
        let pool = PostgresPool(configuration: postgres, logger: logger)
        defer { pool.close() }
        try await MigrationRunner(pool: pool, logger: logger).apply(Migration.bundled())
        let group = try serviceGroup(
            handler, configuration: configuration, pool: pool, postgres: postgres, kafka: kafka,
            shutdownTimeout: shutdownTimeout, logger: logger, signals: [.sigterm, .sigint])
        try await group.run()
    }

    /// The services of a worker, in start order: the relay, then the
    /// consumer, so the consumer stops first and the relay publishes what its
    /// last batch wrote.
    public static func serviceGroup<Handler: WorkerHandler>(
        _ handler: Handler, configuration: WorkerConfiguration, pool: PostgresPool, postgres: PostgresConfiguration,
        kafka: KafkaConfiguration, shutdownTimeout: Duration, logger: Logger, signals: [UnixSignal]
    ) throws -> ServiceGroup {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let relay = OutboxRelay(configuration: configuration, postgres: postgres, producer: producer, logger: logger)
        let consumer = try ConsumerWorker(
            handler: handler, configuration: configuration, pool: pool, kafka: kafka, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: relay),
                .init(service: consumer, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: signals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: groupConfiguration)
    }
}
