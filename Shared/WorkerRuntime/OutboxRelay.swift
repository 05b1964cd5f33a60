import Foundation
import Kafka
import Logging
import Postgres
import ServiceLifecycle
import Store

/// Publishes what handlers wrote to the outbox, in the order it was written,
/// with the idempotent producer, and marks it published.
///
/// Only one relay publishes at a time (an advisory lock held on its own
/// connection); a commit that writes events wakes it through LISTEN/NOTIFY,
/// and it looks anyway every ``WorkerConfiguration/relayPollInterval``. Each
/// event's delivery is confirmed before it is marked; a crash between
/// publishing and marking publishes those events again, and their `event-id`
/// header lets consumers skip the repeat.
public struct OutboxRelay: Service {
    private let configuration: WorkerConfiguration
    private let listener: PostgresPool
    private let producer: KafkaProducer
    private let metrics: RuntimeMetrics
    private let logger: Logger

    public init(configuration: WorkerConfiguration, postgres: PostgresConfiguration, producer: KafkaProducer, logger: Logger) {
        var own = postgres
        own.maxConnections = 1
        own.applicationName = configuration.serviceName + "-outbox-relay"
        self.configuration = configuration
        self.listener = PostgresPool(configuration: own, logger: logger)
        self.producer = producer
        self.metrics = RuntimeMetrics(service: configuration.serviceName)
        var logger = logger
        logger[metadataKey: "service"] = "\(configuration.serviceName)"
        self.logger = logger
    }

    public func run() async throws {
        let backoff = Backoff(initial: configuration.retryInitialDelay, maximum: configuration.retryMaxDelay)
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if try await publishRound() < configuration.relayBatchSize { try await waitForCommit() }
                failures = 0
            } catch where Fault.isTransient(error) {
                failures += 1
                logger.info("outbox relay failed with a transient fault; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.delay(attempt: failures))
            } catch let error as KafkaError {
                // An event the broker refuses (too large, say) must not stop
                // the worker: it stays in the outbox, its age shows in the
                // metrics, and it is tried again.
                failures += 1
                logger.error("outbox relay cannot publish an event; it stays in the outbox", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff.delay(attempt: failures))
            }
        }
        // What the last batches wrote goes out before the process does.
        while (try? await publishRound()) ?? 0 > 0 {}
        await producer.shutdown()
        listener.close()
    }

    /// Publishes one round of pending events if this relay holds the outbox,
    /// and marks the delivered ones published. An event stays pending if its
    /// delivery failed, and so does any later event of its topic and key,
    /// delivered or not: sent again after it, the key's events keep their
    /// order (consumers skip the repeat by its `event-id`).
    /// - Returns: how many it marked published.
    /// - Throws: the first delivery failure, after marking the rest.
    func publishRound() async throws -> Int {
        guard try await listener.withConnection({ try OutboxTable.tryRelayLock(on: $0) }) else { return 0 }
        do {
            let limit = configuration.relayBatchSize
            let pending = try await listener.withConnection { try OutboxTable.oldestUnpublished(limit: limit, on: $0) }
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
            let backlog = try await listener.withConnection { connection in
                if !marked.isEmpty { try OutboxTable.markPublished(marked, on: connection) }
                try OutboxTable.releaseRelayLock(on: connection)
                return try OutboxTable.backlog(on: connection)
            }
            metrics.published(marked.count)
            metrics.outbox(backlog: backlog.count, oldestAgeSeconds: backlog.oldestAgeSeconds)
            if let firstFailure { throw firstFailure }
            return marked.count
        } catch {
            _ = try? await listener.withConnection { try OutboxTable.releaseRelayLock(on: $0) }
            throw error
        }
    }

    private func waitForCommit() async throws {
        let interval = configuration.relayPollInterval
        try await listener.withConnection { connection in
            try connection.execute(PostgresQuery(unsafeSQL: "LISTEN \(OutboxTable.channel)"))
            _ = try connection.waitForNotifications(timeout: interval)
        }
    }
}
