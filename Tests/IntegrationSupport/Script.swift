import Foundation

/// Runs the project's scripts from tests, through ``ChildProcess``:
/// Foundation's `Process.waitUntilExit` can hang when called from Swift's
/// cooperative pool.
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
        let child = try ChildProcess(
            script, [command], environment: ["TURNAROUND_INSTANCE": instance], capturesStandardError: false)
        let status = await child.waitForExit()
        defer { try? FileManager.default.removeItem(atPath: child.logPath) }
        guard status == 0 else { throw Failed(command: "scripts/dev \(command)", status: status) }
        return child.output
    }
}
