import IntegrationSupport
import Kafka
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing

@testable import WorkerRuntime

/// The outbox relay recovers by itself, and publishes only its own stage's events.
@Suite struct RelayHealingTests {
    @Test func aRelayWhoseProducerTurnedFatalReplacesItAndPublishesEverything() async throws {
        let output = TestEnvironment.uniqueName("output")
        try await WorkerHarness.with(extraTopics: [output]) { harness in
            let created = Mutex<[KafkaProducer]>([])
            let kafka = harness.kafka
            let relay = OutboxRelay(
                configuration: WorkerConfiguration(serviceName: harness.service, topics: [], relayPollInterval: .milliseconds(100)),
                postgres: harness.pool.configuration,
                makeProducer: {
                    let producer = try KafkaProducer(configuration: kafka, logger: TestEnvironment.logger)
                    // The first producer is fenced before it sends anything, as after a broker restart.
                    created.withLock { producers in
                        if producers.isEmpty { producer.simulateFatalError(reason: "fenced in a test") }
                        producers.append(producer)
                    }
                    return producer
                },
                logger: TestEnvironment.logger)
            try await harness.pool.withTransaction { connection in
                try OutboxTable.append(
                    (0..<10).map { OutboxEvent(topic: output, key: [UInt8($0)], payload: Array("event-\($0)".utf8)) },
                    stage: harness.service, on: connection)
            }
            try await WorkerHarness.running(ServiceGroup(services: [relay], logger: TestEnvironment.logger)) {
                try await WorkerHarness.eventually {
                    try await harness.pool.withConnection { try OutboxTable.backlog(stage: harness.service, on: $0).count } == 0
                }
            }
            #expect(created.withLock { $0.count } == 2)
            let published = try await harness.consumeAll(output, count: 10)
            #expect(Set(published.map { String(decoding: $0.value, as: UTF8.self) }) == Set((0..<10).map { "event-\($0)" }))
        }
    }

    @Test func aRelayPublishesItsOwnStagesEventsOnly() async throws {
        let output = TestEnvironment.uniqueName("output")
        try await WorkerHarness.with(extraTopics: [output]) { harness in
            let otherStage = TestEnvironment.uniqueName("other")
            try await harness.pool.withTransaction { connection in
                try OutboxTable.append([OutboxEvent(topic: output, key: [1], payload: Array("mine".utf8))], stage: harness.service, on: connection)
                try OutboxTable.append([OutboxEvent(topic: output, key: [2], payload: Array("theirs".utf8))], stage: otherStage, on: connection)
            }
            let kafka = harness.kafka
            let relay = OutboxRelay(
                configuration: WorkerConfiguration(serviceName: harness.service, topics: [], relayPollInterval: .milliseconds(100)),
                postgres: harness.pool.configuration, makeProducer: { try KafkaProducer(configuration: kafka, logger: TestEnvironment.logger) },
                logger: TestEnvironment.logger)
            try await WorkerHarness.running(ServiceGroup(services: [relay], logger: TestEnvironment.logger)) {
                try await WorkerHarness.eventually {
                    try await harness.pool.withConnection { try OutboxTable.backlog(stage: harness.service, on: $0).count } == 0
                }
            }
            #expect(try await harness.pool.withConnection { try OutboxTable.backlog(stage: otherStage, on: $0).count } == 1)
            let published = try await harness.consumeAll(output, count: 1)
            #expect(published.map { String(decoding: $0.value, as: UTF8.self) } == ["mine"])
        }
    }
}
