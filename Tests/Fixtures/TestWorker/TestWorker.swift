import ArgumentParser
import Foundation
import Kafka
import Logging
import Store
import WorkerRuntime

/// A worker process for the runtime's process-level tests: it records one
/// row per event in `effect`, can emit each event to an output topic, and can
/// take its time over each batch so a test can kill it mid-batch.
@main
struct TestWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "turnaround-testworker")

    @OptionGroup var options: WorkerOptions
    @Option var service: String
    @Option var topic: String
    @Option var outputTopic: String?
    @Option(help: "Milliseconds each batch takes inside its transaction.") var applyDelayMs = 0

    func run() async throws {
        let registry = try Worker.bootstrapProcess(service: service)
        let resolved = try options.resolve(serviceName: service, topics: [topic])
        let handler = SlowRecordingHandler(outputTopic: outputTopic, delay: Double(applyDelayMs) / 1000)
        try await Worker.run(handler, options: resolved, registry: registry, logger: Logger(label: service))
    }
}

struct SlowRecordingHandler: WorkerHandler {
    let outputTopic: String?
    let delay: TimeInterval

    func decode(_ message: KafkaMessage) throws(Rejection) -> String {
        String(decoding: message.value, as: UTF8.self)
    }

    func apply(_ events: [String], in batch: inout HandlerBatch) throws {
        try batch.connection.execute("INSERT INTO effect (value) SELECT * FROM unnest(\(events)::text[])")
        if let outputTopic {
            for event in events {
                batch.emit(OutboxEvent(topic: outputTopic, key: Array(event.utf8), payload: Array(event.utf8)))
            }
        }
        // Runs on the batch's connection thread, inside the transaction.
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    }
}
