import Foundation
import Logging
import Settings
import Synchronization

/// A service's log lines on standard error: every line names the service,
/// carries a UTC timestamp to the millisecond, and is text for people or one
/// JSON object for log shippers (`LOG_FORMAT`); the level comes from
/// `LOG_LEVEL`.
public struct ServiceLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    /// The process's logging settings, read from the environment.
    public struct Settings: Sendable {
        public var level: Logger.Level
        public var format: Format

        public init(level: Logger.Level = .info, format: Format = .text) {
            self.level = level
            self.format = format
        }

        /// Reads `LOG_LEVEL` and `LOG_FORMAT` (``ServiceSettings/logLevel``, ``ServiceSettings/logFormat``).
        /// - Throws: ``SettingError`` naming the variable that is malformed.
        public static func fromEnvironment(_ environment: [String: String]) throws(SettingError) -> Settings {
            let settings = SettingsReader(environment: environment)
            // Both settings accept only the words these types are made of.
            return Settings(
                level: Logger.Level(rawValue: try settings.value(ServiceSettings.logLevel))!,
                format: Format(rawValue: try settings.value(ServiceSettings.logFormat))!)
        }
    }

    public var metadata: Logger.Metadata
    public var logLevel: Logger.Level
    private let label: String
    private let format: Format
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - service: named on every line.
    ///   - write: where a finished line goes (standard error, unless a test captures it).
    public init(
        label: String, service: String, settings: Settings, write: @escaping @Sendable (String) -> Void = ServiceLogHandler.standardError
    ) {
        self.label = label
        self.metadata = ["service": "\(service)"]
        self.logLevel = settings.level
        self.format = settings.format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let timestamp = Self.timestamp()
        switch format {
        case .text:
            let rendered = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            write("\(timestamp) \(event.level) \(label): \(event.message)\(rendered.isEmpty ? "" : " " + rendered)\n")
        case .json:
            var object: [String: String] = fields.mapValues { "\($0)" }
            object["ts"] = timestamp
            object["level"] = event.level.rawValue
            object["logger"] = label
            object["message"] = event.message.description
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            write(String(decoding: data, as: UTF8.self) + "\n")
        }
    }

    /// Writes whole lines to standard error, one at a time.
    public static let standardError: @Sendable (String) -> Void = { line in
        standardErrorLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static let standardErrorLock = Mutex<Void>(())

    /// Now, in UTC, to the millisecond: `2026-12-03T10:52:23.123Z`.
    static func timestamp(_ date: Date = Date()) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let milliseconds = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), milliseconds)
    }
}
