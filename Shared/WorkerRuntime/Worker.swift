import Foundation
import Kafka
import Logging
import Postgres
import Prometheus
import ServiceLifecycle
import Store
import UnixSignals

/// Runs a service: checks the schema is the one this build's migrations make,
/// or a newer one (`turnaround migrate` applies them, as the schema's owner:
/// a stage's role may not change the schema), lets the handler prepare (see
/// ``WorkerHandler/prepare(on:)``), then consumes with the handler,
/// relays the outbox and serves the ops port until SIGTERM or SIGINT, and
/// shuts down gracefully within the configured timeout.
public enum Worker {
    /// Sends logs to standard error (``ServiceLogHandler``: `LOG_LEVEL`,
    /// `LOG_FORMAT`, the service on every line), once per process, before
    /// anything logs, and makes the Prometheus registry the process serves.
    /// - Returns: the registry to pass to ``run(_:options:registry:logger:)``.
    /// - Throws: ``SettingError`` for a malformed logging setting.
    public static func bootstrapProcess(
        service: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PrometheusCollectorRegistry {
        let settings = try ServiceLogHandler.Settings.fromEnvironment(environment)
        LoggingSystem.bootstrap { label in ServiceLogHandler(label: label, service: service, settings: settings) }
        return PrometheusCollectorRegistry()
    }

    /// - Parameters:
    ///   - stage: the stage whose schema the handler works in: the process
    ///     starts once it and the base schema are migrated. Nil waits for every schema.
    ///   - registry: the registry the process bootstrapped swift-metrics
    ///     with, served at `/metrics`.
    public static func run<Handler: WorkerHandler>(
        _ handler: Handler, stage: Stage? = nil, options: ResolvedWorkerOptions, registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws {
        // A replica of the previous build restarting during a rolling upgrade runs on over the newer schema.
        let pool = try await PostgresPool.current(options.postgres, logger: logger, stage: stage, allowingNewer: true)
        defer { pool.close() }
        try await pool.withTransaction { try handler.prepare(on: $0) }
        let consumer = try ConsumerWorker(
            handler: handler, configuration: options.worker, pool: pool, kafka: options.kafka, logger: logger, registry: registry)
        let processMetrics = ProcessMetrics(service: options.worker.serviceName, registry: registry, pool: pool)
        let relayHealth = options.runsRelay ? LoopHealth() : nil
        let dueWorkHealth = handler.dueWorkInterval == nil ? nil : LoopHealth()
        let readyGauge = registry.gauge(
            "turnaround_ready", labels: [("service", options.worker.serviceName)],
            help: "1 when the worker can make progress now, 0 when not, as /readyz says; checked at each scrape.")
        // Probes and scrapes each have their own checks: a check still running
        // counts as failed, and a probe must not fail because a scrape is checking.
        func readiness(postgresCheck: BoundedCheck, brokerCheck: BoundedCheck) -> OpsServer.Check {
            {
                if consumer.isDraining { return (false, "not ready: draining for shutdown") }
                let postgresAnswers = await postgresCheck.run(timeout: checkTimeout) {
                    (try? await pool.withConnection { try $0.execute("SELECT 1") }) != nil
                }
                guard postgresAnswers else { return (false, "not ready: postgres does not answer within \(checkTimeout)") }
                guard await brokerCheck.run(timeout: checkTimeout, { await consumer.brokerAnswers(timeout: checkTimeout) }) else {
                    return (false, "not ready: no Kafka broker answers within \(checkTimeout)")
                }
                if let relayHealth, relayHealth.isFailing { return (false, "not ready: the outbox relay cannot publish") }
                if let dueWorkHealth, dueWorkHealth.isFailing { return (false, "not ready: put-off work is failing") }
                return consumer.hasJoinedGroup ? (true, "ready") : (false, "not ready: the consumer has not joined its group")
            }
        }
        // Prometheus sees what an orchestrator's probe sees, whether or not one probes.
        func settingTheGauge(_ isReady: @escaping OpsServer.Check) -> OpsServer.Check {
            {
                let (ready, reason) = await isReady()
                readyGauge.set(Int64(ready ? 1 : 0))
                return (ready, reason)
            }
        }
        let probedReadiness = settingTheGauge(readiness(postgresCheck: BoundedCheck(), brokerCheck: BoundedCheck()))
        let scrapedReadiness = settingTheGauge(readiness(postgresCheck: BoundedCheck(), brokerCheck: BoundedCheck()))
        let ops = OpsServer(
            port: options.httpPort, registry: registry, logger: logger,
            beforeScrape: {
                processMetrics.update()
                _ = await scrapedReadiness()
            },
            isAlive: {
                if consumer.pollHealth.isWedged(after: livenessLimit) {
                    return (false, "not alive: the consumer's poll loop has not turned for \(livenessLimit)")
                }
                if let relayHealth, relayHealth.isWedged(after: livenessLimit) {
                    return (false, "not alive: the outbox relay's loop has not turned for \(livenessLimit)")
                }
                if let dueWorkHealth, dueWorkHealth.isWedged(after: livenessLimit) {
                    return (false, "not alive: the loop doing put-off work has not turned for \(livenessLimit)")
                }
                return (true, "alive")
            },
            isReady: probedReadiness)
        let group = try serviceGroup(
            consumer, postgres: pool.configuration, kafka: options.kafka, runsRelay: options.runsRelay, relayHealth: relayHealth,
            dueWorkHealth: dueWorkHealth, shutdownTimeout: options.shutdownTimeout, logger: logger, signals: [.sigterm, .sigint], first: [ops])
        // Past its timeout the group cancels what is still draining: what
        // those batches held is applied again by the next owner, but an
        // operator must hear of it, and so must the orchestrator.
        func failIfDrainTimedOut() throws {
            guard let stopped = consumer.pollHealth.stoppedAt, ContinuousClock.now - stopped >= options.shutdownTimeout else { return }
            logger.error(
                "graceful shutdown timed out; work in hand was cancelled and will be redelivered",
                metadata: ["took": "\(ContinuousClock.now - stopped)", "timeout": "\(options.shutdownTimeout)"])
            throw DrainTimedOut(timeout: options.shutdownTimeout)
        }
        do {
            try await group.run()
        } catch {
            try failIfDrainTimedOut()
            throw error
        }
        try failIfDrainTimedOut()
    }

    /// A graceful shutdown that did not finish within its timeout.
    public struct DrainTimedOut: Error, CustomStringConvertible {
        public var timeout: Duration
        public var description: String { "graceful shutdown did not finish within \(timeout)" }
    }

    /// How long each readiness check (Postgres, the broker) may take before
    /// it counts as failed.
    public static let checkTimeout = Duration.seconds(2)

    /// How long the poll loop, the relay's loop or the put-off work's loop
    /// may go without turning before the process is reported not alive:
    /// longer than any wait in them (a delivery times out after 30 s, a retry waits at most
    /// `WORKER_RETRY_MAX_DELAY_MS`).
    public static let livenessLimit = Duration.seconds(90)

    /// The services of a worker, in start order: `first` (the ops port), the
    /// relay, the retention sweeper, the loop doing the handler's put-off
    /// work (if it puts any off), then the consumer. They stop in reverse:
    /// the consumer first, then the put-off work, then the relay publishes
    /// what both wrote, and the ops port last.
    public static func serviceGroup<Handler: WorkerHandler>(
        _ consumer: ConsumerWorker<Handler>, postgres: PostgresConfiguration, kafka: KafkaConfiguration,
        runsRelay: Bool = true, relayHealth: LoopHealth? = nil, dueWorkHealth: LoopHealth? = nil, shutdownTimeout: Duration,
        logger: Logger, signals: [UnixSignal],
        first: [any Service] = []
    ) throws -> ServiceGroup {
        var services = first.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        let registry = consumer.metrics.registry
        if runsRelay {
            let relay = OutboxRelay(
                configuration: consumer.configuration, postgres: postgres,
                makeProducer: { try KafkaProducer(configuration: kafka, logger: logger) }, health: relayHealth ?? LoopHealth(),
                logger: logger, registry: registry)
            services.append(.init(service: relay))
        }
        services.append(
            .init(service: RetentionSweeper(configuration: consumer.configuration, postgres: postgres, logger: logger, registry: registry)))
        services.append(
            .init(service: BacklogReporter(backlog: consumer.backlog, configuration: consumer.configuration, postgres: postgres, logger: logger)))
        if let dueWork = DueWorkLoop(
            handler: consumer.handler, backlog: consumer.backlog, configuration: consumer.configuration, postgres: postgres,
            health: dueWorkHealth ?? LoopHealth(), logger: logger, registry: registry)
        {
            services.append(.init(service: dueWork))
        }
        services.append(.init(service: consumer, successTerminationBehavior: .gracefullyShutdownGroup))
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: signals, logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = shutdownTimeout
        return ServiceGroup(configuration: groupConfiguration)
    }
}

