import Foundation

/// A page loaded in a real headless Chromium (Debian's `chromium`, which
/// `scripts/dev test` installs): the document as the browser built it, and
/// every message the page wrote to its console, errors and refused loads included.
public enum HeadlessBrowser {
    public struct Page: Sendable {
        /// The document after loading, serialized.
        public let dom: String
        /// The console's messages, one a line as Chromium logs them.
        public let console: [String]
    }

    public static func load(_ file: URL) async throws -> Page {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("chromium"))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (dom, log) = (scratch.appendingPathComponent("dom.html"), scratch.appendingPathComponent("chromium.log"))
        let command = [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr", "--v=0",
            "--user-data-dir=\(scratch.appendingPathComponent("profile").path)", "--dump-dom", file.absoluteString,
        ].map { "'\($0)'" }.joined(separator: " ")
        let browser = try await ChildProcess("/bin/sh", ["-c", "\(command) >'\(dom.path)' 2>'\(log.path)'"], environment: [:])
        let status = await browser.waitForExit()
        let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure("chromium exited \(status): \(logged)") }
        return Page(
            dom: try String(contentsOf: dom, encoding: .utf8),
            console: logged.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
