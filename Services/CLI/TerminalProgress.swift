import Foundation

/// A line of progress on standard error, rewritten in place, only when
/// standard error is a terminal (and not `--quiet`): a file or a pipe gets
/// the plain summary alone.
final class TerminalProgress: Sendable {
    private let enabled: Bool

    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Replaces the progress line with `text`.
    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    /// Clears the progress line, for what is printed next.
    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
