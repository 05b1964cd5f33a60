import Foundation
import IntegrationSupport
import Kafka
import Postgres
import Store
import Testing
import WorkerRuntime

@Suite struct WorkerRuntimeTests {
    @Test func redeliveredEventIsAppliedOnce() async throws {
        try await WorkerHarness.with { harness in
            let values = (0..<200).map { "event-\($0)" }
            let ids = (0..<200).map { "id-\($0)" }
            try await harness.running(RecordingHandler()) {
                try await harness.produce(values, eventIDs: ids)
                try await harness.produce(Array(values.prefix(50)), eventIDs: Array(ids.prefix(50)))
                try await harness.waitUntilCommitted(250)
            }
            let effects = try await harness.effects()
            #expect(effects.count == 200)
            #expect(Set(effects) == Set(values))
        }
    }

    @Test func malformedMessageIsKeptAsADeadLetterWithANoticeWithoutItsBytesAndTheGoodOnesApply() async throws {
        try await WorkerHarness.with { harness in
            let values = (0..<20).map { "event-\($0)" }
            try await harness.running(RecordingHandler()) {
                try await harness.produce(Array(values[..<10]) + ["malformed-1"] + Array(values[10...]))
                try await harness.waitUntilCommitted(21)
            }
            #expect(try await harness.effects().count == 20)
            // The original, byte for byte, in the dead-letter table.
            let kept = try await harness.pool.withConnection { connection in
                let letters = try DeadLetterTable.list(DeadLetterTable.Selection(service: harness.service), limit: 10, on: connection)
                return try letters.map { ($0, try DeadLetterTable.original(of: $0.id, on: connection)) }
            }
            let (letter, original) = try #require(kept.first)
            #expect(kept.count == 1)
            #expect(letter.reason == "value is not a valid event")
            #expect(letter.topic == harness.topic && letter.eventID != nil && letter.replay == nil)
            #expect(original?.payload == Array("malformed-1".utf8))
            #expect(original?.key != nil)
            #expect(original?.headers.contains { $0.name == KafkaHeader.eventIDName } == true)

            // The notice says why, where from and the reference, never what it said.
            let notices = try await harness.consumeAll(harness.topic + ".dlq", count: 1)
            let notice = try #require(notices.first)
            #expect(notices.count == 1)
            func header(_ name: String) -> String? {
                notice.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
            }
            #expect(header("dlq-reference") == String(letter.id))
            #expect(header("dlq-reason") == "value is not a valid event")
            #expect(header("dlq-source-topic") == harness.topic)
            #expect(header("dlq-service") == harness.service)
            #expect(header("dlq-source-partition") == String(letter.partition) && header("dlq-source-offset") == String(letter.offset))
            #expect(!String(decoding: notice.value, as: UTF8.self).contains("malformed-1"))
            let body = try JSONSerialization.jsonObject(with: Data(notice.value)) as? [String: Any]
            #expect(body?["reference"] as? Int == Int(letter.id))
            #expect(body?["sourceTopic"] as? String == harness.topic)
        }
    }

    @Test func deadLetterIsLoggedWithWhereItCameFromButNotWhatItSaid() async throws {
        try await WorkerHarness.with { harness in
            let capture = LogCapture()
            let personal = "malformed: Jane Doe, born 2014-03-02, 1 High Street"
            try await harness.running(RecordingHandler(), logger: capture.logger()) {
                try await harness.produce(["event-1", personal], eventIDs: ["id-1", "id-2"])
                try await harness.waitUntilCommitted(2)
            }
            let letter = try #require(capture.records.first { $0.message == "message dead-lettered" })
            #expect(letter.metadata["service"] == harness.service)
            #expect(letter.metadata["topic"] == harness.topic)
            #expect(letter.metadata["event_id"] == "id-2")
            #expect(letter.metadata["partition"] != nil && letter.metadata["offset"] != nil)
            #expect(letter.metadata["reason"] == "value is not a valid event")
            #expect(!capture.records.contains { "\($0.message) \($0.metadata)".contains("Jane Doe") })
        }
    }

    @Test func eventThatFailsToApplyIsDeadLetteredAlone() async throws {
        try await WorkerHarness.with(partitions: 1) { harness in
            let values = (0..<30).map { "event-\($0)" }
            try await harness.running(RecordingHandler()) {
                try await harness.produce(Array(values[..<15]) + ["poison-1"] + Array(values[15...]))
                try await harness.waitUntilCommitted(31)
            }
            #expect(Set(try await harness.effects()) == Set(values))
            let letters = try await harness.deadLetters()
            #expect(letters.map(\.value) == ["poison-1"])
        }
    }

    @Test func aMessageRefusedAdmissionIsDeadLetteredAloneAndItsBatchAppliedAtOnce() async throws {
        try await WorkerHarness.with(partitions: 1) { harness in
            let values = (0..<500).map { $0 == 250 ? "forged-250" : "event-\($0)" }
            // All 500 wait before the worker starts, so they come in full batches.
            try await harness.produce(values)
            try await harness.running(RecordingHandler()) {
                try await harness.waitUntilCommitted(500)
            }
            #expect(try await harness.deadLetters().map(\.value) == ["forged-250"])
            #expect(try await harness.deadLetters().map(\.reason) == ["signature does not match"])
            #expect(Set(try await harness.effects()) == Set(values.filter { !$0.hasPrefix("forged") }))
            // Its neighbours were applied in one call with the rest of their batch, not one by one.
            let calls = try await harness.pool.withConnection {
                try $0.query("SELECT cardinality(events) FROM apply_call WHERE 'event-249' = ANY(events) OR 'event-251' = ANY(events)")
                    .decode(Int.self)
            }
            #expect(!calls.isEmpty && calls.allSatisfy { $0 > 1 }, "\(calls)")
            #expect(try await harness.effects().count == 499)
        }
    }

    @Test func aReplayedDeadLetterIsAppliedByTheStageItIsForAndPassedByTheOthers() async throws {
        try await WorkerHarness.with(partitions: 1) { harness in
            try await harness.running(RecordingHandler()) {
                func replay(for stage: String) -> [KafkaHeader] {
                    [KafkaHeader(name: KafkaHeader.replayForName, value: Array(stage.utf8)), KafkaHeader(name: KafkaHeader.deadLetterName, value: Array("7".utf8))]
                }
                try await harness.produce(["for-this-stage"], headers: replay(for: harness.service))
                try await harness.produce(["for-another-stage"], headers: replay(for: "claims"))
                // A `replay-for` without the dead letter it replays is no replay: applied as any message.
                try await harness.produce(["ordinary-with-stray-header"], headers: [KafkaHeader(name: KafkaHeader.replayForName, value: Array("claims".utf8))])
                try await harness.produce(["ordinary"])
                try await harness.waitUntilCommitted(4)
            }
            #expect(try await harness.effects() == ["for-this-stage", "ordinary", "ordinary-with-stray-header"])
            #expect(try await harness.deadLetters().isEmpty)
        }
    }

    @Test func laneWaitingOnOnePartitionHoldsUpNoOtherPartition() async throws {
        try await WorkerHarness.with(partitions: 4) { harness in
            let gate = "gate-\(UUID().uuidString)"
            let later = (0..<300).map { "event-\($0)" }
            try await harness.running(RecordingHandler()) {
                try await harness.holdingGate(gate) {
                    try await harness.produce([gate])
                    try await WorkerHarness.eventually { try await harness.someoneWaits(at: gate) }
                    try await harness.produce(later)
                    let messages = try await harness.consumeAll(harness.topic, count: later.count + 1)
                    let gatePartition = try #require(messages.first { $0.value == Array(gate.utf8) }?.partition)
                    let value = { (message: KafkaMessage) in String(decoding: message.value, as: UTF8.self) }
                    let otherPartitions = Set(messages.filter { $0.partition != gatePartition }.map(value))
                    let behindTheGate = Set(messages.filter { $0.partition == gatePartition && value($0) != gate }.map(value))
                    #expect(!behindTheGate.isEmpty)
                    // Every other partition is applied while the gate's lane waits...
                    try await WorkerHarness.eventually { Set(try await harness.effects()).isSuperset(of: otherPartitions) }
                    // ...and nothing of the gate's partition overtakes it.
                    #expect(Set(try await harness.effects()).isDisjoint(with: behindTheGate))
                }
                try await harness.waitUntilCommitted(later.count + 1)
            }
            let effects = try await harness.effects()
            #expect(effects.count == later.count + 1)
            #expect(Set(effects) == Set(later + [gate]))
        }
    }

    @Test func emittedEventsArePublishedOnceWithEventIDs() async throws {
        let output = TestEnvironment.uniqueName("output")
        try await WorkerHarness.with(extraTopics: [output]) { harness in
            let values = (0..<100).map { "event-\($0)" }
            try await harness.running(RecordingHandler(outputTopic: output)) {
                try await harness.produce(values)
                try await harness.waitUntilCommitted(100)
                try await WorkerHarness.eventually {
                    try await harness.pool.withConnection { try OutboxTable.backlog(stage: harness.service, on: $0).count } == 0
                }
            }
            let published = try await harness.consumeAll(output, count: 100)
            #expect(published.count == 100)
            #expect(Set(published.map { String(decoding: $0.value, as: UTF8.self) }) == Set(values.map { "out:" + $0 }))
            let eventIDs = published.compactMap { $0.headers.first { $0.name == "event-id" }?.value }
            #expect(Set(eventIDs).count == 100)
        }
    }

    @Test func workLeftForTheCommitRunsOnceTheBatchsEventsAreWritten() async throws {
        let output = TestEnvironment.uniqueName("output")
        try await WorkerHarness.with(extraTopics: [output]) { harness in
            let values = (0..<50).map { "event-\($0)" }
            try await harness.running(RecordingHandler(outputTopic: output, checksOutboxBeforeCommit: true)) {
                try await harness.produce(values)
                try await harness.waitUntilCommitted(50)
            }
            let seenByCommit = try await harness.effects().filter { $0.hasPrefix("by commit: ") }
            #expect(seenByCommit.count == 50)
            #expect(Set(seenByCommit) == Set(values.map { "by commit: out:" + $0 }))
        }
    }

    @Test func outboxLeftByACrashIsPublishedOnRestart() async throws {
        let output = TestEnvironment.uniqueName("output")
        try await WorkerHarness.with(extraTopics: [output]) { harness in
            // A worker committed these and died before its relay published them.
            try await harness.pool.withTransaction { connection in
                try OutboxTable.append(
                    (0..<25).map { OutboxEvent(topic: output, key: [UInt8($0)], payload: Array("left-\($0)".utf8)) },
                    stage: harness.service, on: connection)
            }
            try await harness.running(RecordingHandler()) {
                try await WorkerHarness.eventually {
                    try await harness.pool.withConnection { try OutboxTable.backlog(stage: harness.service, on: $0).count } == 0
                }
            }
            let published = try await harness.consumeAll(output, count: 25)
            #expect(published.count == 25)
            #expect(Set(published.map(\.value)) == Set((0..<25).map { Array("left-\($0)".utf8) }))
        }
    }
}
