import Logging
import Postgres
import Prometheus
import ServiceLifecycle
import Store

/// Offers a stage the work it put off (``WorkerHandler/applyDue(in:backlog:)``), each
/// turn in a transaction of its own on a connection of its own: every
/// ``WorkerHandler/dueWorkInterval`` while nothing is due, at once again
/// while more is. What a turn emits goes to the outbox in its transaction,
/// and the relay publishes it like a batch's. A failed turn is rolled back,
/// counted, logged and tried again after a pause: the work stays due. An
/// item the handler cannot do is put off by the handler and logged here
/// (``DueWork/setAside``), so it holds up nothing else.
struct DueWorkLoop<Handler: WorkerHandler>: Service {
    private let handler: Handler
    private let backlog: Backlog
    private let interval: Duration
    private let configuration: WorkerConfiguration
    private let pool: PostgresPool
    private let metrics: RuntimeMetrics
    private let health: LoopHealth
    private let logger: Logger

    /// - Returns: nil for a handler that puts no work off.
    init?(
        handler: Handler, backlog: Backlog, configuration: WorkerConfiguration, postgres: PostgresConfiguration, health: LoopHealth,
        logger: Logger, registry: PrometheusCollectorRegistry
    ) {
        guard let interval = handler.dueWorkInterval else { return nil }
        self.handler = handler
        self.backlog = backlog
        self.interval = interval
        self.configuration = configuration
        self.pool = configuration.connectionOfItsOwn(postgres, for: "due-work", logger: logger)
        self.metrics = RuntimeMetrics(service: configuration.serviceName, registry: registry)
        metrics.prepareDueWork()
        self.health = health
        self.logger = configuration.naming(logger)
    }

    func run() async throws {
        defer {
            health.stopped()
            pool.close()
        }
        let backoff = Backoff(initial: configuration.retryInitialDelay, maximum: configuration.retryMaxDelay)
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            health.alive()
            do {
                let work = try await turn()
                failures = 0
                health.succeeded()
                metrics.dueWork(work)
                for item in work.setAside {
                    logger.warning(
                        "put-off work set an item aside; it is tried again later", metadata: ["item": "\(item.item)", "reason": "\(item.reason)"])
                }
                if work.moreDue { continue }
                await pause(interval)
            } catch {
                failures += 1
                health.failed()
                metrics.dueWorkFailed()
                logger.warning(
                    "put-off work failed; it stays due and is tried again", metadata: ["error": "\(error)", "failures_in_a_row": "\(failures)"])
                await pause(backoff.delay(attempt: failures))
            }
        }
    }

    /// Waits, but not past the start of a graceful shutdown.
    private func pause(_ duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    /// One turn, in one transaction: the handler's work and what it emits.
    func turn() async throws -> DueWork {
        let (handler, stage, messagesBehind) = (handler, configuration.serviceName, backlog.messages)
        return try await pool.withConnection { connection in
            try connection.withTransaction { connection in
                var batch = HandlerBatch(connection: connection)
                let work = try handler.applyDue(in: &batch, backlog: messagesBehind)
                try OutboxTable.append(batch.emitted, stage: stage, on: connection)
                for lastWork in batch.lastWork { try lastWork(connection) }
                return work
            }
        }
    }
}
