import CRdKafka
import Dispatch
import Logging

/// Creates topics and reads cluster metadata.
public final class KafkaAdmin: Sendable {
    private let client: KafkaClient
    private let queue = DispatchQueue(label: "turnaround.kafka.admin")

    /// - Throws: ``KafkaError`` when librdkafka rejects a property.
    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        client = try KafkaClient(
            type: RD_KAFKA_PRODUCER,
            properties: configuration.librdkafkaProperties(defaults: ["allow.auto.create.topics": "false"]),
            context: KafkaClientContext(logger: logger))
    }

    /// Creates a topic unless it exists.
    /// - Returns: true when it was created, false when it already existed.
    /// - Throws: ``KafkaError`` when the brokers refuse or do not answer within `timeout`.
    @discardableResult
    public func createTopic(
        _ name: String, partitions: Int, replicationFactor: Int = 1, timeout: Duration = .seconds(30)
    ) async throws -> Bool {
        let client = client
        return try await runBlocking(on: queue) {
            var errorText = [CChar](repeating: 0, count: 512)
            guard
                let topic = rd_kafka_NewTopic_new(
                    name, Int32(partitions), Int32(replicationFactor), &errorText, errorText.count)
            else {
                throw KafkaError(.invalidConfiguration, reason: "topic \(name): \(String(librdkafkaErrorText: errorText))")
            }
            defer { rd_kafka_NewTopic_destroy(topic) }
            let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errorText, errorText.count)
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.milliseconds, &errorText, errorText.count)
            let replies = rd_kafka_queue_new(client.handle)
            defer { rd_kafka_queue_destroy(replies) }
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_CreateTopics(client.handle, &topics, 1, options, replies)
            guard let event = rd_kafka_queue_poll(replies, timeout.milliseconds + 1000) else {
                throw KafkaError(.timedOut, RD_KAFKA_RESP_ERR__TIMED_OUT)
            }
            defer { rd_kafka_event_destroy(event) }
            let eventCode = rd_kafka_event_error(event)
            guard eventCode == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(.adminFailed, eventCode)
            }
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            for index in 0..<count {
                let code = rd_kafka_topic_result_error(results![index])
                if code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { return false }
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(.adminFailed, code) }
            }
            return true
        }
    }

    /// The number of partitions of each topic the brokers know.
    /// - Throws: ``KafkaError`` (retriable) when no broker answers within `timeout`.
    public func partitionCounts(timeout: Duration = .seconds(10)) async throws -> [String: Int] {
        let client = client
        return try await runBlocking(on: queue) {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(client.handle, 1, nil, &metadata, timeout.milliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(.timedOut, code) }
            defer { rd_kafka_metadata_destroy(metadata) }
            return (0..<Int(metadata.pointee.topic_cnt)).reduce(into: [:]) { counts, index in
                let topic = metadata.pointee.topics[index]
                counts[String(cString: topic.topic)] = Int(topic.partition_cnt)
            }
        }
    }
}
