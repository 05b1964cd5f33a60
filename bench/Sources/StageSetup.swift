import Contracts
import Kafka
import Postgres
import Store

extension Benchmark {
    /// A pool on the bench database (in `schema`, if given) with its schema up to date.
    static func migratedPool(schema: String? = nil) async throws -> PostgresPool {
        var configuration = try PostgresConfiguration.fromEnvironment()
        configuration.searchPath = schema.map { [$0] }
        return try await .migrated(configuration, logger: logger)
    }

    /// The pipeline's topics under `topics.prefix`, 8 partitions each, each with its dead-letter topic.
    static func createTopics(_ topics: Topics, kafka: KafkaConfiguration) async throws {
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        for topic in topics.all {
            try await admin.createTopic(topic, partitions: 8)
            try await admin.createTopic(topic + ".dlq", partitions: 1)
        }
    }

    /// Sends a stage's backlog, as its producers would: each message keyed
    /// by its partition key, with an event id and, given an agency's key,
    /// its signature.
    /// - Returns: how many messages were sent.
    static func sendBacklog(
        _ messages: [(topic: String, message: any Contract)], signingKey: [UInt8]? = nil, kafka: KafkaConfiguration
    ) async throws -> Int {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        for (topic, message) in messages {
            let value = message.encoded()
            try await producer.enqueue(
                KafkaOutgoingMessage(
                    topic: topic, key: Array(message.partitionKey.utf8), value: value,
                    headers: [.newEventID()]
                        + (signingKey.map { [KafkaHeader(name: AgencySignature.header, value: AgencySignature.sign(value, key: $0))] } ?? [])))
        }
        try await producer.flush(timeout: .seconds(300))
        await producer.shutdown()
        return messages.count
    }
}
