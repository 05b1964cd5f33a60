import Foundation

/// A message an agency sends: one line of its file, with who sent it and when.
public protocol AgencySubmission: Contract {
    /// The field the line sits in.
    static var lineField: String { get }
    /// The id the agency gave the line: one id, one referral or record.
    var lineID: String { get }
}

/// The most bytes an agency's message may hold: a referral of a large
/// household is a few KiB; anything near this is a mistake or an attack.
public let agencyMessageMaximumBytes = 64 * 1024

extension EvidenceSubmitted: AgencySubmission {
    public static let refusesUnknownFields = true
    public static let maximumBytes: Int? = agencyMessageMaximumBytes
    public static let lineField = "record"

    public var lineID: String { record.id }
}

extension ReferralSubmitted: AgencySubmission {
    public static let refusesUnknownFields = true
    public static let maximumBytes: Int? = agencyMessageMaximumBytes
    public static let lineField = "referral"

    public var lineID: String { referral.id }
}

/// The bytes of an agency's messages around each line of a file, as the
/// agency wrote it: what the agency signs is its own line, not a copy
/// written anew, and writing a file's messages costs a copy of each line.
/// A line is put in only after the message it makes has been read, and
/// only a JSON object with nothing before its `{` (no byte-order mark), so
/// the message reads back as the line did.
public struct SubmissionFrame<Message: AgencySubmission>: Sendable {
    public let agency: String
    public let submittedAt: Date
    private let head: [UInt8]
    private let tail: [UInt8]

    public init(agency: String, submittedAt: Date) {
        self.agency = agency
        self.submittedAt = submittedAt
        head = Array("{\"\(Message.lineField)\":".utf8)
        // The other fields, written as every message is: `{"agency":…,…}` less its `{`.
        let rest = ContractJSON.encode(Fields(agency: agency, schema: Message.schema, submittedAt: submittedAt, version: Message.version))
        tail = Array(",".utf8) + Array(rest.utf8.dropFirst())
    }

    /// The bytes of the message holding a line of `lineBytes` bytes.
    public func messageSize(lineBytes: Int) -> Int { head.count + lineBytes + tail.count }

    /// The message holding `line`.
    public func message(around line: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(messageSize(lineBytes: line.count))
        bytes += head
        // A byte at a time through a generic collection costs a call each: copy the buffer whole.
        if line.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil { bytes += line }
        bytes += tail
        return bytes
    }

    /// Whether `line` is one JSON object and nothing after it but
    /// whitespace: what a line may be before it is put in a message, so
    /// that it cannot close its object and add fields of the message's own.
    public static func isOneObject(_ line: some Collection<UInt8>) -> Bool {
        // Scanned as one buffer: a byte at a time through a generic collection costs a call each.
        line.withContiguousStorageIfAvailable(isOneObject(buffer:)) ?? Array(line).withUnsafeBufferPointer(isOneObject(buffer:))
    }

    private static func isOneObject(buffer line: UnsafeBufferPointer<UInt8>) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        var closed = false
        for byte in line {
            if closed {
                guard byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A else { return false }
                continue
            }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { closed = true }
                if depth < 0 { return false }
            default: break
            }
        }
        return closed
    }

    private struct Fields: Encodable {
        var agency: String
        var schema: String
        var submittedAt: Date
        var version: Int
    }
}
