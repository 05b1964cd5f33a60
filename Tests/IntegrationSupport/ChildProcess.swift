import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process a test starts, signals and waits for. Its output goes to a file
/// under the temp folder, named in failures.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let logPath: String

    /// Starts `program` with `arguments`, the test's environment plus `environment`.
    /// - Parameter capturesStandardError: whether standard error goes to the
    ///   log too, or stays the test's own.
    public init(
        _ program: String, _ arguments: [String], environment: [String: String], capturesStandardError: Bool = true
    ) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).log").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if capturesStandardError { posix_spawn_file_actions_adddup2(&actions, 1, 2) }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard status == 0 else { throw Script.Failed(command: program, status: status) }
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

    /// Waits for the process to end, on a dispatch thread.
    /// - Returns: its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func waitForExit() async -> Int32 {
        let pid = pid
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }

    /// The process's output so far, for a failing test's message.
    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}
