import Dispatch
import Synchronization

extension PostgresPool {
    /// Runs `body` on `lanes` connections at once, each in a repeatable-read
    /// transaction, all reading one snapshot: the first lane's transaction
    /// exports it (`pg_export_snapshot`), the others import it, and the first
    /// commits only once every other lane has taken it or given up. A long
    /// read then uses as many cores as lanes and sees the database as it was
    /// at one moment, as one transaction would.
    /// - Parameters:
    ///   - lanes: 1 up to the pool's size.
    ///   - body: given the lane's number (0 ..< `lanes`) and its connection.
    /// - Returns: each lane's value, in lane order.
    /// - Throws: the first error a lane throws; ``PostgresError`` when a
    ///   lane cannot have a connection or the snapshot.
    public func withSharedSnapshot<Value: Sendable>(
        lanes: Int, _ body: @escaping @Sendable (_ lane: Int, PostgresConnection) throws -> Value
    ) async throws -> [Value] {
        // The first lane holds its connection until the others have theirs.
        precondition((1...configuration.maxConnections).contains(lanes), "a shared snapshot needs from 1 to the pool's size of lanes")
        let handoff = SnapshotHandoff(importers: lanes - 1)
        return try await withThrowingTaskGroup(of: (Int, Value).self) { group in
            group.addTask {
                // Never leaves the importers waiting, even without a connection.
                defer { handoff.publish(nil) }
                return (0, try await self.withTransaction(.repeatableRead) { connection in
                    let snapshot = try connection.query("SELECT pg_export_snapshot()").decode(String.self)[0]
                    handoff.publish(snapshot)
                    // The snapshot lives as long as this transaction: it ends after every importer has taken it.
                    defer { handoff.waitForImporters() }
                    return try body(0, connection)
                })
            }
            for lane in 1..<lanes {
                group.addTask {
                    // Never leaves the exporter waiting, even without a connection.
                    defer { handoff.taken(by: lane) }
                    return (lane, try await self.withTransaction(.repeatableRead) { connection in
                        // The server named it (hexadecimal digits and dashes): nothing to quote.
                        guard let snapshot = handoff.snapshot(),
                            snapshot.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || Character(Unicode.Scalar($0)).isHexDigit })
                        else {
                            throw PostgresError(
                                .transactionAborted, serverMessage: "no snapshot to share was exported", statement: "SET TRANSACTION SNAPSHOT")
                        }
                        try connection.execute("SET TRANSACTION SNAPSHOT '\(unescaped: snapshot)'")
                        handoff.taken(by: lane)
                        return try body(lane, connection)
                    })
                }
            }
            var values: [(Int, Value)] = []
            for try await value in group { values.append(value) }
            return values.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

/// The snapshot's id, passed from the lane that exports it to the lanes
/// that import it. Its waits block a connection's own dispatch queue, never
/// the cooperative pool (the pool runs each lease's body on its connection's queue).
private final class SnapshotHandoff: Sendable {
    private struct State {
        /// Nil until published; `.some(nil)` when the exporter failed.
        var snapshot: String??
        var taken: Set<Int> = []
    }

    private let importers: Int
    private let state = Mutex(State())
    private let published = DispatchSemaphore(value: 0)
    private let importerDone = DispatchSemaphore(value: 0)

    init(importers: Int) {
        self.importers = importers
    }

    /// Publishes the snapshot, or that there is none; only the first call counts.
    func publish(_ snapshot: String?) {
        let first = state.withLock { state in
            guard state.snapshot == nil else { return false }
            state.snapshot = .some(snapshot)
            return true
        }
        if first { for _ in 0..<importers { published.signal() } }
    }

    /// Waits for the snapshot; nil when the exporter failed.
    func snapshot() -> String? {
        published.wait()
        return state.withLock { $0.snapshot ?? nil }
    }

    /// Says that a lane no longer needs the exporter's transaction; only its first call counts.
    func taken(by lane: Int) {
        if state.withLock({ $0.taken.insert(lane).inserted }) { importerDone.signal() }
    }

    func waitForImporters() {
        for _ in 0..<importers { importerDone.wait() }
    }
}
