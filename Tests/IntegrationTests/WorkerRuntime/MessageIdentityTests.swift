import Foundation
import IntegrationSupport
import Kafka
import Testing

/// The inbox remembers messages by the id their producer gave them, never by
/// their position, and an id is never a licence to skip other content.
@Suite(.startsProcesses, .takesAProcessSlot) struct MessageIdentityTests {
    @Test func messagesSentAfterTheBrokerLostItsOffsetsAreAppliedNotSkipped() async throws {
        try await Script.withInstance("brokerloss", starting: "start-broker") { instance in
            let brokers = try await Script.dev("broker-address", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            try await WorkerHarness.with(partitions: 1, kafkaBrokers: brokers) { harness in
                try await harness.running(RecordingHandler()) {
                    try await harness.produce((0..<20).map { "before-\($0)" })
                    try await WorkerHarness.eventually { try await harness.effects().count == 20 }
                }

                // A fresh broker: the new messages take the same offsets, 0 to 19.
                // The worker starts again once its topics are back, as a
                // deployment's topic job and its orchestrator bring them (a
                // worker that finds its topic missing stops, naming it).
                try await Script.dev("stop-broker", instance: instance)
                try await Script.dev("start-broker", instance: instance)
                try await harness.createTopics()
                try await harness.running(RecordingHandler()) {
                    try await harness.produce((0..<20).map { "after-\($0)" })
                    try await WorkerHarness.eventually { try await harness.effects().count == 40 }
                }
                #expect(try await harness.effects().filter { $0.hasPrefix("after-") }.count == 20)
            }
        }
    }

    @Test func aMessageWithoutAnIDIsDeadLetteredWithTheReasonAndNeverApplied() async throws {
        try await WorkerHarness.with { harness in
            try await harness.running(RecordingHandler()) {
                try await harness.produce(["anonymous-1", "anonymous-2"], withoutIDs: true)
                try await harness.produce(["named-1"])
                try await harness.waitUntilCommitted(3)
            }
            #expect(try await harness.effects() == ["named-1"])
            let letters = try await harness.deadLetters()
            #expect(Set(letters.map(\.value)) == ["anonymous-1", "anonymous-2"])
            for letter in letters {
                #expect(letter.reason.hasPrefix("the message has no event-id header"), "\(letter.reason)")
            }
            let notices = try await harness.consumeAll(harness.topic + ".dlq", count: 2)
            #expect(notices.count == 2)
        }
    }

    @Test func anIDSentAgainWithOtherContentIsDeadLetteredAsAConflictAndTheSameContentSkipped() async throws {
        try await WorkerHarness.with(partitions: 1) { harness in
            try await harness.running(RecordingHandler()) {
                try await harness.produce(["first", "second"], eventIDs: ["id-1", "id-2"])
                try await harness.waitUntilCommitted(2)
                // The same id again: once with the same content (a redelivery), once altered.
                try await harness.produce(["first", "altered"], eventIDs: ["id-1", "id-2"])
                try await harness.waitUntilCommitted(4)
            }
            #expect(try await harness.effects() == ["first", "second"])
            let letters = try await harness.deadLetters()
            #expect(letters.map(\.value) == ["altered"])
            #expect(letters.first?.reason == "event id id-2 was applied before with other content: a producer reused an id, or a message was altered")
        }
    }
}
