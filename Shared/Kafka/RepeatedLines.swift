import Synchronization

/// Holds back a line seen within the window: a broker that is down makes
/// librdkafka repeat the same line many times a second.
final class RepeatedLines: Sendable {
    private struct Seen {
        var since: ContinuousClock.Instant
        var heldBack: Int
    }

    private let window: Duration
    private let seen = Mutex<[String: Seen]>([:])

    init(window: Duration) {
        self.window = window
    }

    /// Whether to write the line now.
    /// - Returns: nil to hold it back; otherwise how many copies were held
    ///   back since it was last written.
    func admit(_ line: String, now: ContinuousClock.Instant = .now) -> Int? {
        seen.withLock { seen in
            if var entry = seen[line], now - entry.since < window {
                entry.heldBack += 1
                seen[line] = entry
                return nil
            }
            let heldBack = seen[line]?.heldBack ?? 0
            if seen.count >= 1_000 { seen = seen.filter { now - $0.value.since < window } }
            seen[line] = Seen(since: now, heldBack: 0)
            return heldBack
        }
    }
}
