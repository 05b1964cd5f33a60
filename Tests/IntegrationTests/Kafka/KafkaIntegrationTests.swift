import Foundation
import IntegrationSupport
import Kafka
import Testing

@Suite struct KafkaIntegrationTests {
    /// How long a test waits for a condition before it fails instead of hanging.
    static let patience = Duration.seconds(60)

    @Test func tenThousandKeyedMessagesAcrossEightPartitionsArriveOnceInKeyOrder() async throws {
        let topic = try await Self.createTopic(partitions: 8)
        let producer = try KafkaProducer(configuration: TestEnvironment.kafkaConfiguration(), logger: TestEnvironment.logger)
        for number in 0..<10_000 {
            try await producer.enqueue(
                KafkaOutgoingMessage(topic: topic, key: Array("family-\(number % 250)".utf8), value: Array("\(number)".utf8)))
        }
        try await producer.flush()
        await producer.shutdown()

        let consumer = try Self.consumer(group: TestEnvironment.uniqueName("group"))
        try await consumer.subscribe(to: [topic])
        var received: [KafkaMessage] = []
        let deadline = ContinuousClock.now + Self.patience
        while received.count < 10_000, ContinuousClock.now < deadline {
            let batch = try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(500))
            received += batch
            try await consumer.commit(batch)
        }
        await consumer.close()

        let numbers = received.map { Int(String(decoding: $0.value, as: UTF8.self))! }
        #expect(numbers.count == 10_000)
        #expect(Set(numbers) == Set(0..<10_000))
        #expect(Set(received.map(\.partition)) == Set(0..<8))
        let byKey = Dictionary(grouping: received) { $0.key! }
        for (_, messages) in byKey {
            #expect(Set(messages.map(\.partition)).count == 1)
            let order = messages.map { Int(String(decoding: $0.value, as: UTF8.self))! }
            #expect(order == order.sorted())
        }
    }

    @Test func sendReportsWhereTheMessageWasStoredAndHeadersSurvive() async throws {
        let topic = try await Self.createTopic(partitions: 1)
        let producer = try KafkaProducer(configuration: TestEnvironment.kafkaConfiguration(), logger: TestEnvironment.logger)
        let headers = [KafkaHeader(name: "schema", value: Array("referral.v1".utf8)), KafkaHeader(name: "empty", value: nil)]
        let first = try await producer.send(KafkaOutgoingMessage(topic: topic, key: nil, value: [1], headers: headers))
        let second = try await producer.send(KafkaOutgoingMessage(topic: topic, key: [7], value: [2]))
        await producer.shutdown()
        #expect(first == KafkaDeliveryReport(topic: topic, partition: 0, offset: 0))
        #expect(second.offset == 1)

        let consumer = try Self.consumer(group: TestEnvironment.uniqueName("group"))
        try await consumer.subscribe(to: [topic])
        let messages = try await Self.poll(consumer, until: 2)
        await consumer.close()
        #expect(messages.first?.headers == headers)
        #expect(messages.first?.key == nil)
        #expect(messages.last?.key == [7])
        #expect(messages.map(\.value) == [[1], [2]])
    }

    @Test func sendAllReportsEachMessageAndARefusedOneHoldsBackItsKey() async throws {
        let topic = try await Self.createTopic(partitions: 1)
        var configuration = try TestEnvironment.kafkaConfiguration()
        configuration.properties["message.max.bytes"] = "10000"
        let producer = try KafkaProducer(configuration: configuration, logger: TestEnvironment.logger)
        let oversized = [UInt8](repeating: 0, count: 20_000)
        let reports = try await producer.sendAll(
            [([1], [1]), ([2], [2]), ([1], oversized), ([2], [3]), ([1], [4])].map {
                KafkaOutgoingMessage(topic: topic, key: $0.0, value: $0.1)
            })
        await producer.shutdown()
        #expect(try reports.prefix(2).map { try $0.get().offset } == [0, 1])
        #expect((try? reports[2].get()) == nil)
        #expect(try reports[3].get().offset == 2)
        // The key of the refused message sends nothing after it.
        #expect((try? reports[4].get()) == nil)
    }

    @Test func groupOfTwoSplitsThePartitions() async throws {
        let topic = try await Self.createTopic(partitions: 8)
        let group = TestEnvironment.uniqueName("group")
        let first = try Self.consumer(group: group)
        let second = try Self.consumer(group: group)
        try await first.subscribe(to: [topic])
        try await second.subscribe(to: [topic])

        var assignments: ([KafkaTopicPartition], [KafkaTopicPartition]) = ([], [])
        let deadline = ContinuousClock.now + Self.patience
        while ContinuousClock.now < deadline {
            async let pollFirst = first.poll(timeout: .milliseconds(200))
            async let pollSecond = second.poll(timeout: .milliseconds(200))
            _ = try await (pollFirst, pollSecond)
            assignments = (try await first.assignment(), try await second.assignment())
            if assignments.0.count + assignments.1.count == 8, !assignments.0.isEmpty, !assignments.1.isEmpty { break }
        }
        async let closeFirst: Void = first.close()
        async let closeSecond: Void = second.close()
        _ = await (closeFirst, closeSecond)

        #expect(!assignments.0.isEmpty)
        #expect(!assignments.1.isEmpty)
        #expect(Set(assignments.0).isDisjoint(with: assignments.1))
        #expect(Set(assignments.0 + assignments.1).map(\.partition).sorted() == Array(0..<8))
    }

    @Test func restartedConsumerResumesAfterItsLastCommit() async throws {
        let topic = try await Self.createTopic(partitions: 1)
        let producer = try KafkaProducer(configuration: TestEnvironment.kafkaConfiguration(), logger: TestEnvironment.logger)
        for number in 0..<20 {
            try await producer.enqueue(KafkaOutgoingMessage(topic: topic, key: nil, value: [UInt8(number)]))
        }
        try await producer.flush()
        await producer.shutdown()
        let group = TestEnvironment.uniqueName("group")

        let first = try Self.consumer(group: group)
        try await first.subscribe(to: [topic])
        let seen = try await Self.poll(first, until: 20)
        try await first.commit(Array(seen.prefix(12)))
        await first.close()

        let restarted = try Self.consumer(group: group)
        try await restarted.subscribe(to: [topic])
        let resumed = try await Self.poll(restarted, until: 8)
        await restarted.close()
        #expect(resumed.first?.offset == 12)
        #expect(resumed.map(\.value) == (12..<20).map { [UInt8($0)] })
    }

    @Test func aGroupStartsAPartitionAtItsCommitElseAtItsFirstOffset() async throws {
        let (read, unread) = (try await Self.createTopic(partitions: 1), try await Self.createTopic(partitions: 1))
        let producer = try KafkaProducer(configuration: TestEnvironment.kafkaConfiguration(), logger: TestEnvironment.logger)
        for number in 0..<20 {
            for topic in [read, unread] { try await producer.enqueue(KafkaOutgoingMessage(topic: topic, key: nil, value: [UInt8(number)])) }
        }
        try await producer.flush()
        await producer.shutdown()
        let group = TestEnvironment.uniqueName("group")
        let first = try Self.consumer(group: group)
        try await first.subscribe(to: [read])
        try await first.commit(Array(try await Self.poll(first, until: 20).prefix(12)))
        await first.close()

        let asking = try Self.consumer(group: group)
        let (readPartition, unreadPartition) = (KafkaTopicPartition(topic: read, partition: 0), KafkaTopicPartition(topic: unread, partition: 0))
        let starts = try await asking.startingOffsets(for: [readPartition, unreadPartition])
        await asking.close()
        #expect(starts == [readPartition: 12, unreadPartition: 0])
    }

    @Test func unreachableBrokerFailsWithTypedRetriableError() async throws {
        let unreachable = KafkaConfiguration(
            brokers: ["127.0.0.1:1"], properties: ["message.timeout.ms": "2000", "reconnect.backoff.max.ms": "200"])
        let producer = try KafkaProducer(configuration: unreachable, logger: TestEnvironment.logger)
        await #expect {
            try await producer.send(KafkaOutgoingMessage(topic: "nowhere", key: nil, value: [1]))
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.code == .deliveryFailed && error.isRetriable && !error.reason.isEmpty
        }
        await producer.shutdown(timeout: .milliseconds(100))

        let admin = try KafkaAdmin(configuration: unreachable, logger: TestEnvironment.logger)
        await #expect {
            try await admin.partitionCounts(timeout: .seconds(2))
        } throws: { ($0 as? KafkaError)?.isRetriable == true }
    }

    @Test func creatingAnExistingTopicIsNotAnError() async throws {
        let admin = try KafkaAdmin(configuration: TestEnvironment.kafkaConfiguration(), logger: TestEnvironment.logger)
        let topic = TestEnvironment.uniqueName("topic")
        #expect(try await admin.createTopic(topic, partitions: 3))
        #expect(try await !admin.createTopic(topic, partitions: 3))
        #expect(try await admin.partitionCounts()[topic] == 3)
    }

    static func createTopic(partitions: Int) async throws -> String {
        let topic = TestEnvironment.uniqueName("topic")
        try await KafkaAdmin(configuration: TestEnvironment.kafkaConfiguration(), logger: TestEnvironment.logger).createTopic(topic, partitions: partitions)
        return topic
    }

    static func consumer(group: String) throws -> KafkaConsumer {
        try KafkaConsumer(configuration: TestEnvironment.kafkaConfiguration(), groupID: group, logger: TestEnvironment.logger)
    }

    /// Polls until `count` messages came or patience ran out.
    static func poll(_ consumer: KafkaConsumer, until count: Int) async throws -> [KafkaMessage] {
        var messages: [KafkaMessage] = []
        let deadline = ContinuousClock.now + patience
        while messages.count < count, ContinuousClock.now < deadline {
            messages += try await consumer.poll(timeout: .milliseconds(500))
        }
        return messages
    }
}
