import IntegrationSupport
import Kafka
import Store
import Testing

@testable import WorkerRuntime

@Suite struct OutboxRelayTests {
    @Test func undeliverableEventHoldsBackItsKeyAndTheRestArePublishedOnce() async throws {
        let output = TestEnvironment.uniqueName("output")
        try await WorkerHarness.with(extraTopics: [output]) { harness in
            let oversized = [UInt8](repeating: 0x61, count: 20_000)
            let events = [("A", Array("a1".utf8)), ("B", Array("b1".utf8)), ("A", oversized), ("B", Array("b2".utf8)), ("A", Array("a3".utf8))]
                .map { OutboxEvent(topic: output, key: Array($0.0.utf8), payload: $0.1) }
            try await harness.pool.withTransaction { try OutboxTable.append(events, stage: harness.service, on: $0) }
            var kafka = harness.kafka
            kafka.properties["message.max.bytes"] = "10000"
            let producer = try KafkaProducer(configuration: kafka, logger: TestEnvironment.logger)
            let relay = OutboxRelay(
                configuration: WorkerConfiguration(serviceName: harness.service, topics: []), postgres: harness.pool.configuration,
                makeProducer: { producer }, logger: TestEnvironment.logger)
            for _ in 0..<2 {
                await #expect(throws: KafkaError.self) { try await relay.publishRound(with: producer) }
            }
            let published = try await harness.consumeAll(output, count: 3)
            #expect(published.map { String(decoding: $0.value, as: UTF8.self) }.sorted() == ["a1", "b1", "b2"])
            let left = try await harness.pool.withConnection { try OutboxTable.oldestUnpublished(stage: harness.service, limit: 10, on: $0) }
            #expect(left.map { String(decoding: $0.event.payload.prefix(2), as: UTF8.self) } == ["aa", "a3"])
        }
    }
}
