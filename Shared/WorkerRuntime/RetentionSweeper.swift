import Foundation
import Logging
import Postgres
import Prometheus
import ServiceLifecycle
import Store

/// Keeps the inbox and the outbox from growing for ever: every
/// ``WorkerConfiguration/retentionSweepInterval`` it forgets the events its
/// stage applied, and deletes the events its stage published, longer ago
/// than ``WorkerConfiguration/retention``, and the messages its stage
/// dead-lettered longer ago than ``WorkerConfiguration/deadLetterRetention``,
/// a bounded number per statement so no sweep holds locks for long; and it
/// reports the tables' sizes.
struct RetentionSweeper: Service {
    /// Rows deleted per statement.
    static let chunk = 10_000

    private let configuration: WorkerConfiguration
    private let pool: PostgresPool
    private let metrics: RuntimeMetrics
    private let logger: Logger

    init(configuration: WorkerConfiguration, postgres: PostgresConfiguration, logger: Logger, registry: PrometheusCollectorRegistry) {
        self.configuration = configuration
        self.pool = configuration.connectionOfItsOwn(postgres, for: "retention", logger: logger)
        self.metrics = RuntimeMetrics(service: configuration.serviceName, registry: registry)
        self.logger = configuration.naming(logger)
    }

    func run() async throws {
        defer { pool.close() }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sweep()
                } catch where Fault.isTransient(error) {
                    logger.warning("retention sweep failed with a transient fault; the next sweep tries again", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: configuration.retentionSweepInterval)
            }
        }
    }

    /// One sweep: what is older than the retention window goes, nothing newer.
    func sweep() async throws {
        let now = Date()
        let stage = configuration.serviceName
        let forgotten = try await pruneInChunks { connection in
            try InboxTable.prune(consumer: stage, appliedBefore: now - configuration.retention.timeInterval, limit: Self.chunk, on: connection)
        }
        let deleted = try await pruneInChunks { connection in
            try OutboxTable.prune(stage: stage, publishedBefore: now - configuration.retention.timeInterval, limit: Self.chunk, on: connection)
        }
        let expired = try await pruneInChunks { connection in
            try DeadLetterTable.prune(
                service: stage, deadLetteredBefore: now - configuration.deadLetterRetention.timeInterval, limit: Self.chunk, on: connection)
        }
        let sizes = try await pool.withConnection {
            (inbox: try InboxTable.sizeInBytes(on: $0), outbox: try OutboxTable.sizeInBytes(on: $0), deadLetters: try DeadLetterTable.sizeInBytes(on: $0))
        }
        metrics.retention(pruned: forgotten, table: "inbox_event", sizeInBytes: sizes.inbox)
        metrics.retention(pruned: deleted, table: "outbox_event", sizeInBytes: sizes.outbox)
        metrics.retention(pruned: expired, table: "dead_letter", sizeInBytes: sizes.deadLetters)
        if forgotten + deleted + expired > 0 {
            logger.info(
                "retention sweep", metadata: ["inbox_forgotten": "\(forgotten)", "outbox_deleted": "\(deleted)", "dead_letters_deleted": "\(expired)"])
        }
    }

    /// Runs a bounded delete until it deletes less than a chunk.
    /// - Returns: how many rows it deleted in all.
    private func pruneInChunks(_ prune: @escaping @Sendable (PostgresConnection) throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let count = try await pool.withConnection(prune)
            total += count
            if count < Self.chunk { return total }
        }
    }
}
