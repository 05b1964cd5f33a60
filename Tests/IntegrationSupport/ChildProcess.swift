import Foundation
import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A process a test starts, signals and waits for, run by swift-subprocess
/// (which watches for its end on a thread of its own, so waiting never ties
/// up Swift's cooperative pool as Foundation's `Process.waitUntilExit` can).
/// Its output goes to a file under the temp folder, named in failures.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let logPath: String
    private let exit: Task<Int32, any Error>
    private let ended = Ended()

    /// Starts `program` with `arguments`, the test's environment plus `environment`.
    /// - Parameter capturesStandardError: whether standard error goes to the
    ///   log too, or stays the test's own.
    public init(
        _ program: String, _ arguments: [String], environment: [String: String], capturesStandardError: Bool = true
    ) async throws {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).log").path
        self.logPath = logPath
        let log = try FileDescriptor.open(
            FilePath(logPath), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let errors = capturesStandardError ? try log.duplicate() : FileDescriptor.standardError
        var updates: [Environment.Key: String?] = [:]
        for (name, value) in environment { updates[Environment.Key(stringLiteral: name)] = value }
        let (started, startedContinuation) = AsyncThrowingStream<pid_t, any Error>.makeStream()
        let ended = ended
        exit = Task {
            do {
                // The body hands out the process id and returns: `run` still
                // waits for the process to end, and reaps it only then, so the
                // id stays this process's for ``signal(_:)`` until ``waitForExit()`` returns.
                let result = try await run(
                    .path(FilePath(program)), arguments: Arguments(arguments), environment: .inherit.updating(updates),
                    input: .none, output: .fileDescriptor(log, closeAfterSpawningProcess: true),
                    error: .fileDescriptor(errors, closeAfterSpawningProcess: capturesStandardError)
                ) { execution in
                    startedContinuation.yield(execution.processIdentifier.value)
                    startedContinuation.finish()
                }
                let status: Int32 =
                    switch result.terminationStatus {
                    case .exited(let code): code
                    case .signaled(let signal): 128 + signal
                    }
                ended.status.withLock { $0 = status }
                return status
            } catch {
                startedContinuation.finish(throwing: error)
                throw error
            }
        }
        var iterator = started.makeAsyncIterator()
        guard let pid = try await iterator.next() else { throw Script.Failed(command: program, status: -1) }
        self.pid = pid
    }

    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Sends SIGTERM and waits for the process to end.
    /// - Returns: its exit status, as ``waitForExit()`` gives it.
    public func stopGracefully() async -> Int32 {
        signal(SIGTERM)
        return await waitForExit()
    }

    /// Waits for the process to end.
    /// - Returns: its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func waitForExit() async -> Int32 {
        // The process was started; only a failure to watch it can throw here.
        (try? await exit.value) ?? -1
    }

    /// Its exit status once it has ended (as ``waitForExit()`` gives it); nil while it runs.
    public var exitStatus: Int32? { ended.status.withLock { $0 } }

    /// Where the task watching the process leaves its status.
    private final class Ended: Sendable {
        let status = Mutex<Int32?>(nil)
    }

    /// The process's output so far, for a failing test's message.
    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}
