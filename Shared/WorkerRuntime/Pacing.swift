import Synchronization

/// Says yes at most once an interval: for work too costly to do every turn.
final class Pacing: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    func isTime(every interval: Duration) -> Bool {
        last.withLock { last in
            let now = ContinuousClock.now
            if let done = last, now - done < interval { return false }
            last = now
            return true
        }
    }
}
