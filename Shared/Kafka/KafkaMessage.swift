import Foundation

/// A message to produce.
public struct KafkaOutgoingMessage: Sendable {
    public var topic: String
    /// Decides the partition: messages with one key stay in order. Key by the
    /// entity whose order matters (the family).
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// What its order is kept within: its key in its topic.
    public var orderingKey: KafkaOrderingKey { KafkaOrderingKey(topic: topic, key: key) }
}

/// The messages that keep their order: one key of one topic.
public struct KafkaOrderingKey: Hashable, Sendable {
    public var topic: String
    public var key: [UInt8]?
}

/// A message a consumer received.
public struct KafkaMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
    }

    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }
}

/// A message header.
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// One partition of one topic.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// Where the broker stored a produced message.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

extension KafkaHeader {
    /// The header that carries a message's unique id. Every producer sets
    /// one; consumers remember the messages they applied by it, never by
    /// position (offsets start again when a topic is recreated).
    public static let eventIDName = "event-id"

    /// An `event-id` header holding `id`.
    public static func eventID(_ id: String) -> KafkaHeader {
        KafkaHeader(name: eventIDName, value: Array(id.utf8))
    }

    /// An `event-id` header holding a new random id: a version 4 UUID from
    /// the system's generator (`UUID()` opens /dev/urandom for each one).
    public static func newEventID() -> KafkaHeader {
        var generator = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { Array($0) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return eventID(uuid.uuidString.lowercased())
    }

    /// On a dead letter sent again: the consumer group it is for. Other
    /// groups reading the topic applied the original already and pass it by.
    public static let replayForName = "replay-for"

    /// On a dead letter sent again: the original's event id, if it had one.
    public static let replayOfName = "replay-of"

    /// On a dead letter sent again: its reference in the dead-letter table.
    public static let deadLetterName = "dead-letter"
}

extension KafkaMessage {
    /// The producer's `event-id` header, if it gave one.
    public var eventID: String? {
        guard let header = headers.first(where: { $0.name == KafkaHeader.eventIDName }), let value = header.value, !value.isEmpty
        else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    /// The consumer group a replayed dead letter is for: its `replay-for`
    /// header, on a message that also names its dead letter; nil on any other.
    public var replayFor: String? {
        guard headers.contains(where: { $0.name == KafkaHeader.deadLetterName }) else { return nil }
        return headers.first { $0.name == KafkaHeader.replayForName }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
