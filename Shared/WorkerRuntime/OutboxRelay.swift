import Foundation
import Kafka
import Logging
import Postgres
import Prometheus
import ServiceLifecycle
import Store

/// Publishes what its stage's handlers wrote to the outbox, in the order it
/// was written, with the idempotent producer, and marks it published.
///
/// Only one relay publishes a stage's events at a time (an advisory lock held
/// on its own connection); a commit that writes events wakes it through
/// LISTEN/NOTIFY, and it looks anyway every
/// ``WorkerConfiguration/relayPollInterval``. Each event's delivery is
/// confirmed before it is marked; a crash between publishing and marking
/// publishes those events again, and their `event-id` header lets consumers
/// skip the repeat.
///
/// A producer that hits a fatal error (fenced, its sequence broken) can send
/// nothing more: the relay replaces it, and does the same after
/// ``replaceAfterFailures`` rounds in a row the broker failed, then publishes on.
public struct OutboxRelay: Service {
    /// Creates the relay's producer, at the start and to replace one that failed.
    public typealias ProducerFactory = @Sendable () throws -> KafkaProducer

    /// Failed rounds in a row after which the producer is replaced even if it
    /// reports no fatal error (a broker that came back empty, say).
    public static let replaceAfterFailures = 3

    /// How long a round may still wait for the broker once a graceful
    /// shutdown has begun: then its undelivered messages are purged (their
    /// events stay in the outbox for the next start), so a broker gone or
    /// come back empty does not hold the process past its shutdown timeout
    /// (a message may wait `message.timeout.ms`, 30 s, for its delivery).
    static let drainLimit: Duration = .seconds(5)

    private let configuration: WorkerConfiguration
    private let listener: PostgresPool
    private let makeProducer: ProducerFactory
    private let metrics: RuntimeMetrics
    private let health: LoopHealth
    private let logger: Logger
    private let backlogPacing = Pacing()

    /// - Parameters:
    ///   - health: where the relay reports whether it can publish, for readiness.
    ///   - registry: where its metrics go (a registry of its own by default).
    public init(
        configuration: WorkerConfiguration, postgres: PostgresConfiguration, makeProducer: @escaping ProducerFactory,
        health: LoopHealth = LoopHealth(), logger: Logger, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) {
        self.configuration = configuration
        self.listener = configuration.connectionOfItsOwn(postgres, for: "outbox-relay", logger: logger)
        self.makeProducer = makeProducer
        self.metrics = RuntimeMetrics(service: configuration.serviceName, registry: registry)
        metrics.prepareRelay()
        self.health = health
        self.logger = configuration.naming(logger)
    }

    private var stage: String { configuration.serviceName }

    public func run() async throws {
        let backoff = Backoff(initial: configuration.retryInitialDelay, maximum: configuration.retryMaxDelay)
        var producer: KafkaProducer? = nil
        var failures = 0
        var brokerFailures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            health.alive()
            do {
                let current = try producer ?? makeProducer()
                producer = current
                if try await boundedRound(with: current) < configuration.relayBatchSize { try await waitForCommit() }
                failures = 0
                brokerFailures = 0
                health.succeeded()
            } catch {
                // Whatever failed (the database, the broker, an event the
                // broker refuses), the events stay in the outbox and are tried
                // again: the worker goes on, and the failure is counted.
                failures += 1
                if error is KafkaError { brokerFailures += 1 }
                metrics.relayFailed()
                health.failed()
                logger.warning(
                    "outbox relay failed; its events stay in the outbox and are tried again",
                    metadata: ["error": "\(error)", "failures_in_a_row": "\(failures)"])
                if let current = producer,
                    current.fatalFailure != nil || (brokerFailures > 0 && brokerFailures % Self.replaceAfterFailures == 0)
                {
                    logger.warning(
                        "outbox relay replaces its producer",
                        metadata: ["fatal": "\(current.fatalFailure.map { "\($0)" } ?? "none")", "broker_failures_in_a_row": "\(brokerFailures)"])
                    await current.shutdown(timeout: .seconds(1))
                    producer = nil
                    metrics.relayProducerReplaced()
                }
                try? await Task.sleep(for: backoff.delay(attempt: failures))
            }
        }
        // What the last batches wrote goes out before the process does.
        if let producer {
            while (try? await boundedRound(with: producer)) ?? 0 > 0 {}
            await producer.shutdown()
        }
        listener.close()
    }

    /// One round, given up ``drainLimit`` after a graceful shutdown began.
    /// - Throws: ``DrainLimitReached`` for a round given up, or what the round threw.
    private func boundedRound(with producer: KafkaProducer) async throws -> Int {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await publishRound(with: producer) }
            group.addTask {
                try await gracefulShutdown()
                try await Task.sleep(for: Self.drainLimit)
                return nil
            }
            // The first to finish decides; the other is cancelled (a cancelled round purges what it still waits for).
            defer { group.cancelAll() }
            guard let published = try await group.next() ?? nil else { throw DrainLimitReached() }
            return published
        }
    }

    /// A round still waiting for the broker when the shutdown's drain limit passed.
    struct DrainLimitReached: Error, CustomStringConvertible {
        var description: String { "the broker did not confirm the round within \(OutboxRelay.drainLimit) of the shutdown; its events stay in the outbox" }
    }

    /// Publishes one round of the stage's pending events if this relay holds
    /// the stage's outbox, and marks the delivered ones published. An event
    /// stays pending if its delivery failed, and so does any later event of
    /// its topic and key, delivered or not: sent again after it, the key's
    /// events keep their order (consumers skip the repeat by its `event-id`).
    /// Reports the stage's backlog either way.
    /// - Returns: how many it marked published.
    /// - Throws: the first delivery failure, after marking the rest.
    func publishRound(with producer: KafkaProducer) async throws -> Int {
        let stage = stage
        guard try await listener.withConnection({ try OutboxTable.tryRelayLock(stage: stage, on: $0) }) else {
            try await reportBacklog()
            return 0
        }
        do {
            let limit = configuration.relayBatchSize
            let pending = try await listener.withConnection { try OutboxTable.oldestUnpublished(stage: stage, limit: limit, on: $0) }
            let messages = pending.map { item in
                KafkaOutgoingMessage(
                    topic: item.event.topic, key: item.event.key, value: item.event.payload,
                    headers: [.eventID(item.eventID.uuidString.lowercased())]
                        + item.event.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
            }
            let reports = try await producer.sendAll(messages)
            var delivered: [Int64] = []
            var heldBack: Set<KafkaOrderingKey> = []
            var firstFailure: KafkaError?
            for ((item, message), report) in zip(zip(pending, messages), reports) {
                switch report {
                case .success where !heldBack.contains(message.orderingKey):
                    delivered.append(item.id)
                case .success:
                    break
                case .failure(let failure):
                    heldBack.insert(message.orderingKey)
                    firstFailure = firstFailure ?? failure
                }
            }
            let marked = delivered
            try await listener.withConnection { connection in
                if !marked.isEmpty { try OutboxTable.markPublished(marked, on: connection) }
                try OutboxTable.releaseRelayLock(stage: stage, on: connection)
            }
            metrics.published(marked.count)
            try await reportBacklog()
            if let firstFailure { throw firstFailure }
            return marked.count
        } catch {
            _ = try? await listener.withConnection { try OutboxTable.releaseRelayLock(stage: stage, on: $0) }
            throw error
        }
    }

    /// The stage's backlog, from the table, whichever replica's relay
    /// publishes; counted at most once a ``WorkerConfiguration/relayPollInterval``,
    /// since counting reads every waiting event.
    private func reportBacklog() async throws {
        guard backlogPacing.isTime(every: configuration.relayPollInterval) else { return }
        let stage = stage
        let backlog = try await listener.withConnection { try OutboxTable.backlog(stage: stage, on: $0) }
        metrics.outbox(backlog: backlog.count, oldestAgeSeconds: backlog.oldestAgeSeconds)
    }

    private func waitForCommit() async throws {
        let interval = configuration.relayPollInterval
        try await listener.withConnection { connection in
            try connection.execute(PostgresQuery(unsafeSQL: "LISTEN \(OutboxTable.channel)"))
            _ = try connection.waitForNotifications(timeout: interval)
        }
    }
}
