import Synchronization

/// A health check that answers within its timeout, whatever the thing it
/// checks does: a database that hangs (stopped, not down) never answers, and
/// a blocked libpq call cannot be cancelled. A check still running from an
/// earlier probe counts as failed, and no second one starts beside it, so a
/// hung dependency costs one waiting check, not one per probe.
final class BoundedCheck: Sendable {
    private let running = Atomic<Bool>(false)

    /// Runs `check`, or answers false when it does not finish within `timeout`.
    func run(timeout: Duration, _ check: @escaping @Sendable () async -> Bool) async -> Bool {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        let answer = Answer()
        return await withCheckedContinuation { continuation in
            answer.wait(with: continuation)
            // Unstructured on purpose: the check may outlive this probe (see
            // above), and the probe must not wait for it.
            Task {
                let passed = await check()
                self.running.store(false, ordering: .releasing)
                answer.give(passed)
            }
            Task {
                try? await Task.sleep(for: timeout)
                answer.give(false)
            }
        }
    }
}

/// The first answer of a check or its timer; the later one is ignored.
private final class Answer: Sendable {
    private let continuation = Mutex<CheckedContinuation<Bool, Never>?>(nil)

    func wait(with continuation: CheckedContinuation<Bool, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func give(_ passed: Bool) {
        continuation.withLock { continuation in
            continuation?.resume(returning: passed)
            continuation = nil
        }
    }
}
