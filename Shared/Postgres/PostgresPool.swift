import Dispatch
import Logging
import Synchronization

/// A bounded set of connections shared by the tasks of one process.
///
/// ```swift
/// let pool = PostgresPool(configuration: try .fromEnvironment(), logger: logger)
/// let count = try await pool.withTransaction { connection in
///     try connection.execute("UPDATE claim SET status = 'paid' WHERE window_id = \(window)")
/// }
/// ```
/// Each connection runs on a dispatch queue of its own, so libpq's blocking
/// calls never occupy Swift's cooperative threads. A connection whose server
/// went away (a restart, a failover) is re-established when next leased.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var idle: [PooledConnection] = []
        var opened = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<PooledConnection, any Error>)] = []
        var nextWaiterID = 0
        var isClosed = false
    }

    /// Creates a pool. Connections open lazily, on first use.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State())
    }

    /// Runs `body` with a connection leased for its duration.
    /// - Throws: what `body` throws, or ``PostgresError`` when no connection
    ///   can be had (``PostgresError/Code/connectionFailed`` is retriable).
    @discardableResult
    public func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Value
    ) async throws -> Value {
        let lease = try await acquire()
        defer { release(lease) }
        return try await lease.run(configuration: configuration, logger: logger, body)
    }

    /// Runs `body` in a transaction on a leased connection: commits when it
    /// returns, rolls back when it throws.
    @discardableResult
    public func withTransaction<Value: Sendable>(
        _ isolation: PostgresIsolationLevel = .readCommitted,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Value
    ) async throws -> Value {
        try await withConnection { try $0.withTransaction(isolation, body) }
    }

    /// How the pool is used now: connections leased, open and idle, and
    /// tasks waiting for one.
    public var usage: (leased: Int, idle: Int, waiting: Int) {
        state.withLock { (leased: $0.opened - $0.idle.count, idle: $0.idle.count, waiting: $0.waiters.count) }
    }

    /// Closes idle connections and refuses new leases; leased connections
    /// close when they come back.
    public func close() {
        let waiters = state.withLock { state in
            state.isClosed = true
            state.opened -= state.idle.count
            state.idle.removeAll()
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(.poolClosed))
        }
    }

    private func acquire() async throws -> PooledConnection {
        let waiterID = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<PooledConnection, any Error>? = state.withLock { state in
                    if state.isClosed { return .failure(PostgresError(.poolClosed)) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let connection = state.idle.popLast() { return .success(connection) }
                    if state.opened < configuration.maxConnections {
                        state.opened += 1
                        return .success(PooledConnection(number: state.opened))
                    }
                    state.waiters.append((waiterID, continuation))
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == waiterID }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release(_ connection: PooledConnection) {
        let waiter = state.withLock { state -> CheckedContinuation<PooledConnection, any Error>? in
            if state.isClosed {
                state.opened -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }
}

/// A pool slot: a dispatch queue and the connection that lives on it.
///
/// `@unchecked Sendable` is safe because `connection` is read and written only
/// by blocks on `queue`, a serial queue, and the pool leases a slot to one task
/// at a time.
private final class PooledConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    private var connection: PostgresConnection?

    init(number: Int) {
        queue = DispatchQueue(label: "turnaround.postgres.connection-\(number)")
    }

    func run<Value: Sendable>(
        configuration: PostgresConfiguration, logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Value
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result { try body(self.usableConnection(configuration: configuration, logger: logger)) })
            }
        }
    }

    private func usableConnection(configuration: PostgresConfiguration, logger: Logger) throws -> PostgresConnection {
        if let connection {
            if try connection.prepareForUse() {
                logger.info("postgres connection re-established")
            }
            return connection
        }
        let opened = try PostgresConnection(configuration: configuration)
        connection = opened
        return opened
    }
}
