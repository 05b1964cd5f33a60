import Settings
import Testing
import WorkerRuntime

@Suite struct WorkerOptionsTests {
    static let servers = ["DATABASE_URL": "postgresql://u@127.0.0.1:5432/db", "KAFKA_BROKERS": "127.0.0.1:9092"]

    @Test func optionBeatsItsEnvironmentVariable() throws {
        let resolved = try WorkerOptions.parse(["--commit-interval-ms", "30"]).resolve(
            serviceName: "intake", topics: [], environment: Self.servers.merging(["WORKER_COMMIT_INTERVAL_MS": "250"]) { $1 })
        #expect(resolved.worker.commitInterval == .milliseconds(30))
    }

    @Test func environmentSetsEveryWorkerSetting() throws {
        let environment = Self.servers.merging(
            [
                "WORKER_BATCH_SIZE": "200", "WORKER_LANES": "2", "WORKER_BATCH_MAX_WAIT_MS": "40",
                "WORKER_COMMIT_INTERVAL_MS": "250", "WORKER_RETRY_MAX_DELAY_MS": "5000", "WORKER_SHUTDOWN_TIMEOUT_S": "12",
                "WORKER_RELAY": "off", "WORKER_HTTP_PORT": "9100", "WORKER_RETENTION_HOURS": "48",
            ]) { $1 }
        let resolved = try WorkerOptions.parse([]).resolve(serviceName: "intake", topics: ["referrals.submitted"], environment: environment)
        #expect(resolved.worker.batchSize == 200)
        #expect(resolved.worker.lanes == 2)
        #expect(resolved.worker.readAhead == 4000)
        #expect(resolved.worker.batchMaxWait == .milliseconds(40))
        #expect(resolved.worker.commitInterval == .milliseconds(250))
        #expect(resolved.worker.retryMaxDelay == .seconds(5))
        #expect(resolved.shutdownTimeout == .seconds(12))
        #expect(!resolved.runsRelay)
        #expect(resolved.httpPort == 9100)
        #expect(resolved.worker.retention == .seconds(48 * 3600))
    }

    @Test func malformedSettingIsNamed() {
        #expect {
            try WorkerOptions.parse([]).resolve(
                serviceName: "intake", topics: [], environment: Self.servers.merging(["WORKER_COMMIT_INTERVAL_MS": "soon"]) { $1 })
        } throws: { ($0 as? SettingError)?.variable == "WORKER_COMMIT_INTERVAL_MS" }
    }

    @Test func aMalformedOptionIsNamedWithItsVariableAndNeitherIsEchoed() {
        #expect {
            try WorkerOptions.parse(["--batch-size", "5OO"]).resolve(serviceName: "intake", topics: [], environment: Self.servers)
        } throws: { "\($0)" == "--batch-size (WORKER_BATCH_SIZE) must be a positive whole number" }
        #expect {
            try WorkerOptions.parse([]).resolve(
                serviceName: "intake", topics: [], environment: Self.servers.merging(["WORKER_RELAY": "sometimes"]) { $1 })
        } throws: { "\($0)" == "WORKER_RELAY must be on or off" }
        #expect {
            try WorkerOptions.parse([]).resolve(
                serviceName: "intake", topics: [], environment: Self.servers.merging(["WORKER_LANES": "0"]) { $1 })
        } throws: { "\($0)" == "WORKER_LANES must be a positive whole number" }
    }

    @Test func helpNamesEachOptionsVariableAndDefault() {
        let help = WorkerOptions.helpMessage(columns: 1000)
        #expect(help.contains("--batch-size <batch-size>"))
        #expect(help.contains("Messages applied in one transaction. Env WORKER_BATCH_SIZE; default 500."))
        #expect(WorkerOptions.environmentHelp.contains("DATABASE_URL: a libpq connection URI"))
    }
}
