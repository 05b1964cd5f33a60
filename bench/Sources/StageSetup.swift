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
}
