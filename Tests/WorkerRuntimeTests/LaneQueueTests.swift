import Kafka
import Testing

@testable import WorkerRuntime

@Suite struct LaneQueueTests {
    static func messages(partition: Int32, offsets: Range<Int64>) -> [KafkaMessage] {
        offsets.map { KafkaMessage(topic: "t", partition: partition, offset: $0, key: nil, value: [], headers: []) }
    }

    @Test func batchesComeInArrivalOrderAtMostABatchAtATime() async {
        let queue = LaneQueue(batchSize: 3)
        queue.append(Self.messages(partition: 0, offsets: 0..<4))
        queue.append(Self.messages(partition: 1, offsets: 0..<1))
        #expect(await queue.next()?.map(\.offset) == [0, 1, 2])
        #expect(await queue.next()?.map { "\($0.partition)/\($0.offset)" } == ["0/3", "1/0"])
        #expect(queue.count == 0)
    }

    @Test func revokedPartitionsLeaveTheQueueAndOthersStay() async {
        let queue = LaneQueue(batchSize: 10)
        queue.append(Self.messages(partition: 0, offsets: 0..<3) + Self.messages(partition: 1, offsets: 0..<2))
        queue.discard([KafkaTopicPartition(topic: "t", partition: 0)])
        #expect(await queue.next()?.map(\.partition) == [1, 1])
    }

    @Test func finishedQueueEndsTheLaneAndDropsWhatWaits() async {
        let queue = LaneQueue(batchSize: 1)
        queue.append(Self.messages(partition: 0, offsets: 0..<3))
        #expect(await queue.next()?.count == 1)
        queue.finish()
        #expect(await queue.next() == nil)
        #expect(queue.count == 0)
    }

    @Test func laneGetsMessagesAppendedAfterItAskedAndNothingOnceCancelled() async {
        let queue = LaneQueue(batchSize: 10)
        let woken = Task { await queue.next()?.count }
        queue.append(Self.messages(partition: 0, offsets: 0..<2))
        #expect(await woken.value == 2)
        let cancelled = Task { await queue.next() }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
    }

    @Test func laneIsStuckOnlyWhileMessagesWaitForIt() async {
        let queue = LaneQueue(batchSize: 1)
        #expect(!queue.isStuck(after: .zero))
        queue.append(Self.messages(partition: 0, offsets: 0..<2))
        #expect(queue.isStuck(after: .zero))
        #expect(!queue.isStuck(after: .seconds(3600)))
        _ = await queue.next()
        _ = await queue.next()
        #expect(!queue.isStuck(after: .zero))
    }
}
