import Contracts
import Kafka
import Postgres
import Store

extension Benchmark {
    /// A pool on the bench database with its schema up to date; given
    /// `schema`, in that schema, made anew (what an earlier run left is dropped).
    static func migratedPool(schema: String? = nil) async throws -> PostgresPool {
        var configuration = try PostgresConfiguration.fromEnvironment()
        if let schema {
            let setup = try PostgresConnection(configuration: configuration)
            try DeploymentSchemas(base: schema).dropAll(on: setup)
            try setup.execute("CREATE SCHEMA \(identifier: schema)")
            configuration.searchPath = [schema]
        }
        return try await .migrated(configuration, logger: logger)
    }

    /// DATABASE_URL with its connections' search path set to `schema`, for a stage process of the bench's.
    static func databaseURL(searchPath schema: String) throws -> String {
        PostgresConfiguration.url(try PostgresConfiguration.fromEnvironment().url, startingSessionsWith: ["search_path=" + schema])
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
    /// by its partition key, with an event id and, given an agency's signer,
    /// its signature (in batches, as `turnaround submit` signs).
    /// - Returns: how many messages were sent.
    static func sendBacklog(
        _ messages: [(topic: String, message: any Contract)], signer: AgencySignature.Signer? = nil, kafka: KafkaConfiguration
    ) async throws -> Int {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let values = messages.map { $0.message.encoded() }
        let signatures = signer.map { AgencySignature.headers(signing: values, with: $0) }
        for (index, (topic, message)) in messages.enumerated() {
            try await producer.enqueue(
                KafkaOutgoingMessage(
                    topic: topic, key: Array(message.partitionKey.utf8), value: values[index],
                    headers: [.newEventID()] + (signatures?[index].map { KafkaHeader(name: $0.name, value: $0.value) } ?? [])))
        }
        try await producer.flush(timeout: .seconds(300))
        await producer.shutdown()
        return messages.count
    }
}
