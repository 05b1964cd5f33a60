import Logging
import Testing

@testable import Kafka

@Suite struct LibrdkafkaLogTests {
    @Test func syslogLevelsMapToSwiftLogLevels() {
        #expect([0, 1, 2, 3, 4, 5, 6, 7].map { Logger.Level(syslogLevel: $0) } == [
            .error, .error, .error, .error, .warning, .notice, .info, .debug,
        ])
    }

    @Test func aLineRepeatedWithinTheWindowIsHeldBackAndCounted() {
        let repeats = RepeatedLines(window: .seconds(10))
        let start = ContinuousClock.now
        #expect(repeats.admit("Connect to 127.0.0.1:9092 failed", now: start) == 0)
        #expect(repeats.admit("Connect to 127.0.0.1:9092 failed", now: start + .seconds(1)) == nil)
        #expect(repeats.admit("Connect to 127.0.0.1:9092 failed", now: start + .seconds(2)) == nil)
        #expect(repeats.admit("another line", now: start + .seconds(2)) == 0)
        #expect(repeats.admit("Connect to 127.0.0.1:9092 failed", now: start + .seconds(11)) == 2)
        #expect(repeats.admit("Connect to 127.0.0.1:9092 failed", now: start + .seconds(12)) == nil)
    }
}
