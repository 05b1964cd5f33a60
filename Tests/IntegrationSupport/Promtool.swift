import Foundation

/// Prometheus's own linter, on a scrape.
public enum Promtool {
    /// What `promtool check metrics` says is wrong with `scrape`; nil when nothing is.
    public static func complaints(about scrape: String) async throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("scrape") + ".txt")
        try scrape.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let promtool = try await ChildProcess("/bin/sh", ["-c", "promtool check metrics < '\(file.path)'"], environment: [:])
        let status = await promtool.waitForExit()
        return status == 0 && promtool.output.isEmpty ? nil : "exit \(status): \(promtool.output)"
    }
}
