import Testing

extension Trait where Self == TimeLimitTrait {
    /// For tests that start processes (services, servers, the CLI): one that
    /// hangs fails after ten minutes instead of holding up the whole run.
    static var startsProcesses: Self { .timeLimit(.minutes(10)) }
}

extension Trait where Self == ProcessSlotTrait {
    /// For tests that start processes: at most ``ProcessSlotTrait/slots`` of
    /// them run at once. Every suite at once on two cores starved the shared
    /// broker until clients' requests timed out and their groups never formed.
    static var takesAProcessSlot: Self { ProcessSlotTrait() }
}

/// Runs each test case holding one of a few slots the whole run shares.
struct ProcessSlotTrait: SuiteTrait, TestTrait, TestScoping {
    static let slots = 4
    private static let gate = Gate(slots: slots)

    var isRecursive: Bool { true }

    /// A scope for each test case only, not around a whole suite (which would hold a slot while its tests wait for one).
    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        await Self.gate.enter()
        do {
            try await function()
        } catch {
            await Self.gate.leave()
            throw error
        }
        await Self.gate.leave()
    }

    /// A counting semaphore, first come first served.
    private actor Gate {
        private var free: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(slots: Int) { free = slots }

        func enter() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
    }
}
