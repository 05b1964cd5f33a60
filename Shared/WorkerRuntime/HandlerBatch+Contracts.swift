import Contracts
import Store

extension HandlerBatch {
    /// Queues a contract message for `topic`, keyed by its partition key.
    public mutating func emit(_ message: some Contract, to topic: String) {
        emit(OutboxEvent(topic: topic, key: Array(message.partitionKey.utf8), payload: message.encoded()))
    }
}
