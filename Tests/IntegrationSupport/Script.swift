import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the project's scripts from tests.
///
/// Foundation's `Process.waitUntilExit` can hang when called from Swift's
/// cooperative pool, so this spawns and reaps the child itself, on a
/// dispatch thread.
public enum Script {
    public struct Failed: Error, CustomStringConvertible {
        public let command: String
        public let status: Int32
        public var description: String { "\(command) exited with status \(status)" }
    }

    /// Runs `scripts/dev <command>` for an environment instance and returns what it printed.
    @discardableResult
    public static func dev(_ command: String, instance: String) async throws -> String {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/dev").path
        var environment = ProcessInfo.processInfo.environment
        environment["TURNAROUND_INSTANCE"] = instance
        return try await run(script, [command], environment: environment)
    }

    /// Runs a program to completion; its standard output goes through a file
    /// so that a daemon it starts cannot hold the reader open.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], environment: [String: String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(program, arguments, environment: environment) })
            }
        }
    }

    private static func runBlocking(_ program: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("script-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failed(command: program, status: spawned) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = (status >> 8) & 0xff
        guard status & 0x7f == 0, exitStatus == 0 else {
            throw Failed(command: ([program] + arguments).joined(separator: " "), status: exitStatus)
        }
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }
}
