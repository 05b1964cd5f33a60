import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Store

/// Writes what this process's consumer has yet to apply to
/// `consumer_backlog` every ``interval``, so that a stage can tell how far
/// behind its other replicas and the stages before it are; forgets the
/// process on a graceful shutdown, and rows no process has written for a day.
struct BacklogReporter: Service {
    static let interval = Duration.seconds(1)
    /// How long a row may go unwritten before readers stop counting it: a
    /// process that ended without forgetting itself.
    static let freshness = Duration.seconds(5)

    private let consumer: String
    /// This process, among its group's.
    private let member = UUID().uuidString.lowercased()
    private let backlog: Backlog
    private let pool: PostgresPool
    private let logger: Logger
    private let pruning = Pacing()

    init(backlog: Backlog, configuration: WorkerConfiguration, postgres: PostgresConfiguration, logger: Logger) {
        self.consumer = configuration.serviceName
        self.backlog = backlog
        self.pool = configuration.connectionOfItsOwn(postgres, for: "backlog", logger: logger)
        self.logger = configuration.naming(logger)
    }

    func run() async throws {
        defer { pool.close() }
        let (consumer, member) = (consumer, member)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if pruning.isTime(every: .seconds(3600)) {
                        try await pool.withConnection { try ConsumerBacklogTable.prune(measuredBefore: Date() - 86_400, on: $0) }
                    }
                    if let messages = backlog.messages {
                        try await pool.withConnection { try ConsumerBacklogTable.report(consumer: consumer, member: member, messages: messages, on: $0) }
                    }
                } catch {
                    // Readers stop counting a row gone stale; the next turn writes it again.
                    logger.debug("reporting the backlog failed; reporting again", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: Self.interval)
            }
        }
        try? await pool.withConnection { try ConsumerBacklogTable.forget(consumer: consumer, member: member, on: $0) }
    }
}

/// What the worker processes of consumer groups reported they had yet to
/// apply, together: how far behind a stage's replicas, or the stages before
/// it, are.
public enum ReportedBacklog {
    public static func total(of consumers: [String], on connection: PostgresConnection) throws -> Int {
        try ConsumerBacklogTable.total(of: consumers, measuredWithin: BacklogReporter.freshness, on: connection)
    }
}
