import Foundation
import Kafka
import Store

/// A message a stage can never apply. Its bytes go to the `dead_letter`
/// table, in the batch's transaction; its `<topic>.dlq` notice carries only
/// why, where it came from and the table's reference: the bytes may hold
/// personal data (a referral's names and addresses), which no topic carries.
enum DeadLetter {
    /// The message as the dead-letter table records it.
    static func entry(for message: KafkaMessage, reason: String) -> DeadLetterTable.Entry {
        DeadLetterTable.Entry(
            topic: message.topic, partition: message.partition, offset: message.offset, eventID: message.eventID, reason: reason,
            original: DeadLetterTable.Original(
                key: message.key, payload: message.value, headers: message.headers.map { OutboxHeader(name: $0.name, value: $0.value) }))
    }

    /// The notice on `<topic>.dlq`, keyed by the reference.
    static func notice(for entry: DeadLetterTable.Entry, reference: Int64, service: String) throws -> OutboxEvent {
        let body = Notice(
            reference: reference, service: service, reason: entry.reason,
            sourceTopic: entry.topic, sourcePartition: entry.partition, sourceOffset: entry.offset, eventID: entry.eventID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var headers = [
            OutboxHeader(name: "dlq-reference", value: Array(String(reference).utf8)),
            OutboxHeader(name: "dlq-reason", value: Array(entry.reason.utf8)),
            OutboxHeader(name: "dlq-source-topic", value: Array(entry.topic.utf8)),
            OutboxHeader(name: "dlq-source-partition", value: Array(String(entry.partition).utf8)),
            OutboxHeader(name: "dlq-source-offset", value: Array(String(entry.offset).utf8)),
            OutboxHeader(name: "dlq-service", value: Array(service.utf8)),
        ]
        if let eventID = entry.eventID {
            headers.append(OutboxHeader(name: "dlq-source-event-id", value: Array(eventID.utf8)))
        }
        return OutboxEvent(
            topic: entry.topic + ".dlq", key: Array(String(reference).utf8), payload: Array(try encoder.encode(body)), headers: headers)
    }

    /// A notice's JSON body (docs/delivery.md).
    private struct Notice: Encodable {
        let reference: Int64
        let service: String
        let reason: String
        let sourceTopic: String
        let sourcePartition: Int32
        let sourceOffset: Int64
        let eventID: String?

        enum CodingKeys: String, CodingKey {
            case reference, service, reason, sourceTopic, sourcePartition, sourceOffset
            case eventID = "eventId"
        }
    }
}
