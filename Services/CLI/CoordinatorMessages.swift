import Contracts
import Foundation
import Kafka

/// Sends a co-ordinator's records (attachments, closures) straight to their
/// topic, each keyed by its family with an event id of its own, and names on
/// standard error each one Kafka did not take.
/// - Parameter describe: what a message records, for the line naming one not sent.
/// - Returns: how many were not sent.
func sendCoordinatorMessages<Message: Contract>(
    _ messages: [Message], to topic: String, common: CommonOptions, describe: (Message) -> String
) async throws -> Int {
    let kafka = try common.kafkaConfiguration()
    let producer = try KafkaProducer(configuration: kafka, logger: common.makeLogger())
    let reports = try await common.waiting(for: "Kafka (\(kafka.brokers.joined(separator: ",")))") {
        try await producer.sendAll(messages.map {
            KafkaOutgoingMessage(topic: topic, key: Array($0.partitionKey.utf8), value: $0.encoded(), headers: [.newEventID()])
        })
    }
    await producer.shutdown()
    var failed = 0
    for (message, report) in zip(messages, reports) {
        if case .failure(let error) = report {
            failed += 1
            FileHandle.standardError.write(Data("not sent: \(describe(message)): \(error.summary)\n".utf8))
        }
    }
    return failed
}
