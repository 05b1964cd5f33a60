import Synchronization

/// What a long-running loop (the poll loop, the outbox relay) tells the ops
/// port: that it still turns, for liveness, and whether its last attempt
/// failed, for readiness.
public final class LoopHealth: Sendable {
    private struct State {
        var lastTurn = ContinuousClock.now
        var failing = false
        var stoppedAt: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    public init() {}

    /// The loop turned: it is not wedged.
    func alive() {
        state.withLock { $0.lastTurn = .now }
    }

    /// Its last attempt worked.
    func succeeded() {
        state.withLock {
            $0.lastTurn = .now
            $0.failing = false
        }
    }

    /// Its last attempt failed; it will try again.
    func failed() {
        state.withLock {
            $0.lastTurn = .now
            $0.failing = true
        }
    }

    /// The loop ended (the process is shutting down): it is not wedged.
    func stopped() {
        state.withLock { $0.stoppedAt = .now }
    }

    /// Whether the loop has ended.
    public var hasStopped: Bool { stoppedAt != nil }

    /// When the loop ended, if it has.
    public var stoppedAt: ContinuousClock.Instant? { state.withLock { $0.stoppedAt } }

    /// Whether the last attempt failed.
    public var isFailing: Bool { state.withLock { $0.failing } }

    /// Whether the loop has not turned for `limit`: stuck somewhere no retry reaches.
    public func isWedged(after limit: Duration) -> Bool {
        state.withLock { $0.stoppedAt == nil && ContinuousClock.now - $0.lastTurn > limit }
    }
}
