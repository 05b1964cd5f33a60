import Logging
import Synchronization

/// Keeps every log record of the loggers it makes, for tests that check what
/// is logged (and what never is).
public final class LogCapture: Sendable {
    /// One record, its metadata written out as text.
    public struct Record: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let kept = Mutex<[Record]>([])

    public init() {}

    public var records: [Record] { kept.withLock { $0 } }

    /// A logger at debug level whose records this capture keeps.
    public func logger(label: String = "turnaround.tests") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .debug
        return logger
    }

    fileprivate func keep(_ record: Record) {
        kept.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.keep(Record(level: event.level, message: event.message.description, metadata: merged.mapValues(\.description)))
        }
    }
}
