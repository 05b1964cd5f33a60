import Kafka
import Synchronization

/// The messages polled for one lane and not yet taken, in arrival order.
/// The poll loop appends; the lane takes up to a batch at a time.
final class LaneQueue: Sendable {
    private struct State {
        var messages: [KafkaMessage] = []
        var waiter: CheckedContinuation<[KafkaMessage]?, Never>?
        var finished = false
        var lastTaken = ContinuousClock.now
    }

    private let state = Mutex(State())
    private let batchSize: Int

    init(batchSize: Int) {
        self.batchSize = batchSize
    }

    /// Messages waiting: the poll loop reads ahead up to a bound.
    var count: Int { state.withLock { $0.messages.count } }

    /// Whether messages have waited longer than `wait` since the lane last
    /// took a batch: the lane is stuck on the one in hand.
    func isStuck(after wait: Duration) -> Bool {
        state.withLock { !$0.messages.isEmpty && ContinuousClock.now - $0.lastTaken >= wait }
    }

    func append(_ messages: [KafkaMessage]) {
        guard !messages.isEmpty else { return }
        state.withLock { state in
            state.messages += messages
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.resume(returning: Self.takeBatch(from: &state, batchSize: batchSize))
            }
        }
    }

    /// Drops the waiting messages of partitions the member no longer holds:
    /// their next owner reads them from the last commit. Left queued, they
    /// could be applied after later messages of the same partition if it
    /// came back to this member.
    func discard(_ partitions: Set<KafkaTopicPartition>) {
        state.withLock { $0.messages.removeAll { partitions.contains($0.topicPartition) } }
    }

    /// The lane ends after the batch in hand: the messages still waiting
    /// are dropped, uncommitted, for the partition's next reader.
    func finish() {
        state.withLock { state in
            state.finished = true
            state.messages = []
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.resume(returning: nil)
            }
        }
    }

    /// The next batch, waiting for a message if none is queued.
    /// - Returns: nil once the queue is finished, or the task is cancelled.
    func next() async -> [KafkaMessage]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    if !state.messages.isEmpty {
                        continuation.resume(returning: Self.takeBatch(from: &state, batchSize: batchSize))
                    } else if state.finished || Task.isCancelled {
                        continuation.resume(returning: nil)
                    } else {
                        state.waiter = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                state.waiter?.resume(returning: nil)
                state.waiter = nil
            }
        }
    }

    private static func takeBatch(from state: inout State, batchSize: Int) -> [KafkaMessage] {
        let taken = Array(state.messages.prefix(batchSize))
        state.messages.removeFirst(taken.count)
        state.lastTaken = .now
        return taken
    }
}

/// Wakes the poll loop when a lane takes a batch, so a full lane's room is
/// used at once rather than at the next poll.
final class Wakeup: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.resume()
            } else {
                state.signalled = true
            }
        }
    }

    /// Returns at the next signal (or at once if one came since the last
    /// wait), or after `timeout`.
    func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.nextSignal() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func nextSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    if state.signalled || Task.isCancelled {
                        state.signalled = false
                        continuation.resume()
                    } else {
                        state.waiter = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                state.waiter?.resume()
                state.waiter = nil
            }
        }
    }
}
