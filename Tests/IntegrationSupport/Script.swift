import Foundation

/// Runs the project's scripts from tests, through ``ChildProcess``.
public enum Script {
    public struct Failed: Error, CustomStringConvertible {
        public let command: String
        public let status: Int32
        public var description: String { "\(command) exited with status \(status)" }
    }

    /// Runs `scripts/dev <command>` for an environment instance and returns what it printed.
    @discardableResult
    public static func dev(_ command: String, _ arguments: [String] = [], instance: String) async throws -> String {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/dev").path
        let child = try await ChildProcess(
            script, [command] + arguments, environment: ["TURNAROUND_INSTANCE": instance], capturesStandardError: false)
        let status = await child.waitForExit()
        defer { try? FileManager.default.removeItem(atPath: child.logPath) }
        guard status == 0 else { throw Failed(command: "scripts/dev \(command)", status: status) }
        return child.output
    }

    /// Runs `body` with a server of the test's own (`start` is `start-postgres`
    /// or `start-broker`), in a new instance named after `prefix`, and
    /// destroys the instance afterwards, also when `body` fails.
    /// - Parameter cleanUp: run before the instance is destroyed after a
    ///   failure (a server left frozen must be thawed first).
    public static func withInstance(
        _ prefix: String, starting start: String, cleanUp: [String] = [], _ body: (_ instance: String) async throws -> Void
    ) async throws {
        let instance = TestEnvironment.uniqueName(prefix)
        try await dev(start, instance: instance)
        do {
            try await body(instance)
        } catch {
            for command in cleanUp { _ = try? await dev(command, instance: instance) }
            _ = try? await dev("destroy", ["--yes"], instance: instance)
            throw error
        }
        try await dev("destroy", ["--yes"], instance: instance)
    }
}
