import ArgumentParser
import Foundation
import Kafka

/// A stage's process draining a backlog, as operators run it: started on the
/// topics under `prefix`, timed from its first commit to the commit of
/// `events` messages, then stopped.
enum StageProcess {
    static func drain(
        executable: String, prefix: String, group: String, topics: [String], partitions: Int32, events: Int,
        environment extra: [String: String] = [:], kafka: KafkaConfiguration
    ) async throws -> Duration {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var environment = ProcessInfo.processInfo.environment
        environment["TOPIC_PREFIX"] = prefix
        environment["WORKER_HTTP_PORT"] = String(Int.random(in: 20_000..<30_000))
        environment.merge(extra) { _, given in given }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let observer = try KafkaConsumer(configuration: kafka, groupID: group, logger: Benchmark.logger)
        let held = topics.flatMap { topic in (0..<partitions).map { KafkaTopicPartition(topic: topic, partition: $0) } }
        func committed() async throws -> Int64 {
            try await observer.committedOffsets(for: held).values.reduce(0, +)
        }
        while try await committed() == 0 {
            guard process.isRunning else { throw ValidationError("\(executable) ended with status \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        let start = ContinuousClock.now
        while try await committed() < Int64(events) {
            guard process.isRunning else { throw ValidationError("\(executable) ended with status \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let elapsed = ContinuousClock.now - start
        await observer.close()
        process.terminate()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return elapsed
    }
}
