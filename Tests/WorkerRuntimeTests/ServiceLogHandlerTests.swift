import Foundation
import Logging
import Synchronization
import Settings
import Testing
import WorkerRuntime

@Suite struct ServiceLogHandlerTests {
    /// The lines a logger wrote.
    final class Lines: Sendable {
        private let kept = Mutex<[String]>([])
        func append(_ line: String) { kept.withLock { $0.append(line) } }
        var all: [String] { kept.withLock { $0 } }
    }

    /// A logger whose lines this test keeps.
    static func capturing(_ format: ServiceLogHandler.Format, level: Logger.Level = .info) -> (Logger, Lines) {
        let lines = Lines()
        let logger = Logger(label: "turnaround.test") { label in
            ServiceLogHandler(
                label: label, service: "turnaround-screening", settings: .init(level: level, format: format),
                write: { line in lines.append(line) })
        }
        return (logger, lines)
    }

    @Test func jsonLinesNameTheServiceLevelAndMillisecondTime() throws {
        let (logger, lines) = Self.capturing(.json)
        logger.warning("message dead-lettered", metadata: ["topic": "referrals.accepted", "offset": "17"])
        let written = lines.all
        #expect(written.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: String])
        #expect(object["service"] == "turnaround-screening")
        #expect(object["level"] == "warning")
        #expect(object["message"] == "message dead-lettered")
        #expect(object["topic"] == "referrals.accepted" && object["offset"] == "17")
        let timestamp = try #require(object["ts"])
        #expect(timestamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(timestamp)")
    }

    @Test func textLinesCarryTheSameAndTheLevelFilters() {
        let (logger, lines) = Self.capturing(.text, level: .warning)
        logger.info("not written at warning")
        logger.error("outbox relay failed", metadata: ["error": "broker down"])
        let written = lines.all
        #expect(written.count == 1)
        #expect(written[0].contains(" error turnaround.test: outbox relay failed"))
        #expect(written[0].contains("service=turnaround-screening"))
        #expect(written[0].contains("error=broker down"))
        #expect(written[0].prefix(24).wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
    }

    @Test func settingsComeFromTheEnvironmentAndAMistakeNamesItsVariable() throws {
        let settings = try ServiceLogHandler.Settings.fromEnvironment(["LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"])
        #expect(settings.level == .debug && settings.format == .json)
        let defaults = try ServiceLogHandler.Settings.fromEnvironment([:])
        #expect(defaults.level == .info && defaults.format == .text)
        #expect { try ServiceLogHandler.Settings.fromEnvironment(["LOG_LEVEL": "loud"]) } throws: {
            ($0 as? SettingError)?.variable == "LOG_LEVEL"
        }
        #expect { try ServiceLogHandler.Settings.fromEnvironment(["LOG_FORMAT": "xml"]) } throws: {
            ($0 as? SettingError)?.variable == "LOG_FORMAT"
        }
    }
}
