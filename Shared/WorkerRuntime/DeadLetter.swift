import Foundation
import Kafka
import Store

/// A message that can never be processed, as it goes to `<topic>.dlq`: the
/// original key, value and headers, plus why and where it came from.
enum DeadLetter {
    static func event(for message: KafkaMessage, reason: String, service: String) -> OutboxEvent {
        var headers = message.headers.map { OutboxHeader(name: $0.name, value: $0.value) }
        headers += [
            OutboxHeader(name: "dlq-reason", value: Array(reason.utf8)),
            OutboxHeader(name: "dlq-source-topic", value: Array(message.topic.utf8)),
            OutboxHeader(name: "dlq-source-partition", value: Array(String(message.partition).utf8)),
            OutboxHeader(name: "dlq-source-offset", value: Array(String(message.offset).utf8)),
            OutboxHeader(name: "dlq-service", value: Array(service.utf8)),
        ]
        return OutboxEvent(topic: message.topic + ".dlq", key: message.key, payload: message.value, headers: headers)
    }
}
