import ArgumentParser
import Foundation
import Kafka
import Postgres

/// A stage's process as operators run it, on the topics under a prefix.
struct StageProcess {
    let process: Process
    let executable: String
    /// Its ops port (`/metrics`).
    let port: Int

    static func start(executable: String, prefix: String, environment extra: [String: String] = [:]) throws -> StageProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let port = Int.random(in: 20_000..<30_000)
        var environment = ProcessInfo.processInfo.environment
        environment["TOPIC_PREFIX"] = prefix
        environment["WORKER_HTTP_PORT"] = String(port)
        // As the image runs them (deploy/Dockerfile), as the stage's database role (README: "Database roles").
        environment["MALLOC_ARENA_MAX"] = environment["MALLOC_ARENA_MAX"] ?? "2"
        environment.merge(extra) { _, given in given }
        let stage = URL(fileURLWithPath: executable).lastPathComponent.replacingOccurrences(of: "turnaround-", with: "")
        environment["DATABASE_URL"] = PostgresConfiguration.url(
            try environment["DATABASE_URL"] ?? PostgresConfiguration.fromEnvironment().url, startingSessionsWith: ["role=turnaround_" + stage])
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return StageProcess(process: process, executable: executable, port: port)
    }

    /// Fails when the process ended.
    func checkRunning() throws {
        guard process.isRunning else { throw ValidationError("\(executable) ended with status \(process.terminationStatus)") }
    }

    /// The most memory the process held so far (VmHWM), in MiB.
    var peakResidentMiB: Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    /// Stops it with SIGTERM and waits.
    func stop() async throws {
        process.terminate()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// Starts a stage on a backlog and times it from its first commit to the
    /// commit of `events` messages and, after that, until `settled` holds
    /// (the work it put off is done), then stops it.
    /// - Returns: how long it took, and the most memory the process held.
    static func drain(
        executable: String, prefix: String, group: String, topics: [String], partitions: Int32, events: Int,
        environment: [String: String] = [:], kafka: KafkaConfiguration, settled: () async throws -> Bool = { true }
    ) async throws -> (elapsed: Duration, peakResidentMiB: Double) {
        let stage = try start(executable: executable, prefix: prefix, environment: environment)
        let observer = try KafkaConsumer(configuration: kafka, groupID: group, logger: Benchmark.logger)
        let held = topics.flatMap { topic in (0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) } }
        func committed() async throws -> Int64 {
            try await observer.committedOffsets(for: held).values.reduce(0, +)
        }
        while try await committed() == 0 {
            try stage.checkRunning()
            try await Task.sleep(for: .milliseconds(10))
        }
        let start = ContinuousClock.now
        while try await committed() < Int64(events) {
            try stage.checkRunning()
            try await Task.sleep(for: .milliseconds(20))
        }
        while try await !settled() {
            try stage.checkRunning()
            try await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = ContinuousClock.now - start
        let peak = stage.peakResidentMiB
        await observer.close()
        try await stage.stop()
        return (elapsed, peak)
    }
}
