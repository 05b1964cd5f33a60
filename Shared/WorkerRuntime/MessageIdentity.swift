import Digest
import Kafka

/// What the inbox remembers a message by: the id its producer gave it, and a
/// digest of its key and value, so the same id arriving with other content
/// is caught, never skipped as a repeat.
struct MessageIdentity: Sendable {
    /// The message's `event-id`; for a message without one, a name built
    /// from its digest (such a message is dead-lettered, never applied).
    let eventID: String
    /// SHA-256 of the key and the value.
    let contentDigest: [UInt8]
    let hasEventID: Bool

    init(_ message: KafkaMessage) {
        var content: [UInt8] = []
        content.reserveCapacity(9 + (message.key?.count ?? 0) + message.value.count)
        // The key's length first, so key and value cannot trade bytes.
        if let key = message.key {
            content.append(1)
            withUnsafeBytes(of: UInt64(key.count).bigEndian) { content.append(contentsOf: $0) }
            content.append(contentsOf: key)
        } else {
            content.append(0)
        }
        content.append(contentsOf: message.value)
        contentDigest = SHA256.digest(content)
        if let id = message.eventID {
            eventID = id
            hasEventID = true
        } else {
            eventID = "no-event-id/" + Hex.encode(contentDigest)
            hasEventID = false
        }
    }

    /// Why a message without an id is refused.
    static let missingIDReason =
        "the message has no event-id header: every producer must give each message a unique id (it is never deduplicated by its position)"
}
