import Contracts
import Kafka
import Testing
import WorkerRuntime

@Suite struct TopicDecodersTests {
    static let decoders = TopicDecoders<String>(
        stage: "screening",
        [
            "evidence.recorded": { message throws(ContractError) in
                guard !message.value.isEmpty else { throw ContractError(field: "value", problem: "is empty") }
                return "evidence"
            },
            "referrals.accepted": { _ throws(ContractError) in "accepted" },
        ])

    static func message(_ topic: String, _ value: String) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 0, offset: 0, key: nil, value: Array(value.utf8), headers: [])
    }

    @Test func eachTopicIsReadByItsOwnDecoderAndTheTableListsTheTopics() throws {
        #expect(Self.decoders.topics == ["evidence.recorded", "referrals.accepted"])
        #expect(try Self.decoders.decode(Self.message("referrals.accepted", "{}")) == "accepted")
        #expect(try Self.decoders.decode(Self.message("evidence.recorded", "{}")) == "evidence")
    }

    @Test func aContractErrorOrATopicNotReadIsARejectionThatSaysWhich() {
        let unreadable = #expect(throws: Rejection.self) { try Self.decoders.decode(Self.message("evidence.recorded", "")) }
        #expect(unreadable?.reason == "value: is empty")
        let elsewhere = #expect(throws: Rejection.self) { try Self.decoders.decode(Self.message("families.attached", "{}")) }
        #expect(elsewhere?.reason == "screening does not read topic families.attached")
    }
}
