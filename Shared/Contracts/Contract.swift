import Foundation

/// A message the pipeline sends: JSON, naming its schema and version at the
/// top level so a consumer can refuse what it does not understand.
public protocol Contract: Codable, Sendable {
    /// The schema's name, such as `referral.submitted`.
    static var schema: String { get }
    /// The schema's version, the one written; a consumer accepts only the
    /// versions it reads (``readsVersions``).
    static var version: Int { get }
    /// The versions a consumer of this build reads: a version adds fields
    /// only as a new version, and the fields it adds are optional.
    static var readsVersions: ClosedRange<Int> { get }
    /// Checks what types cannot: ranges, formats, consistency.
    func validate() throws(ContractError)
    /// The partition key: the entity whose events must stay in order.
    var partitionKey: String { get }
    /// Whether a field the schema does not name refuses the message: true for
    /// what agencies send, whose mistakes (`end` for `to`) must not pass as absent fields.
    static var refusesUnknownFields: Bool { get }
    /// The most bytes a message may hold, checked before it is parsed; nil for no limit.
    static var maximumBytes: Int? { get }
    /// The message as it travels: `{"schema": …, "version": …, …fields}`,
    /// as ContractJSON writes it.
    func encoded() -> [UInt8]
}

extension Contract {
    public func validate() throws(ContractError) {}

    public static var refusesUnknownFields: Bool { false }

    public static var maximumBytes: Int? { nil }

    public static var readsVersions: ClosedRange<Int> { version...version }

    public func encoded() -> [UInt8] {
        Array(ContractJSON.encode(Envelope(message: self)).utf8)
    }

    /// Reads and validates a message.
    /// - Throws: ``ContractError`` naming every field that is missing, of the
    ///   wrong type or invalid, or an unknown schema or version.
    public static func decode(_ bytes: [UInt8]) throws(ContractError) -> Self {
        if let maximumBytes, bytes.count > maximumBytes {
            throw ContractError(field: "", problem: "is \(bytes.count) bytes, over the \(maximumBytes / 1024) KiB a \(schema) message may hold")
        }
        let strictly = refusesUnknownFields ? "\(schema) v\(version)" : nil
        do throws(ContractError) {
            let message = try ContractJSON.read(Versioned<Self>.self, from: bytes, strictlyAs: strictly).message
            try message.validate()
            return message
        } catch {
            // Read again, field by field, for every problem: one bad field must not hide the next.
            let message = try ContractJSON.read(Versioned<Self>.self, from: bytes, strictlyAs: strictly, carefully: true).message
            try message.validate()
            throw error
        }
    }
}

/// A message read in one pass: its schema and version are checked before
/// its fields, so a message of another schema or version is refused as that.
private struct Versioned<Message: Contract>: Decodable {
    var message: Message

    private enum CodingKeys: String, CodingKey { case schema, version }

    init(from decoder: any Decoder) throws {
        let header = try decoder.container(keyedBy: CodingKeys.self)
        guard try header.decode(String.self, forKey: .schema) == Message.schema else {
            throw ContractError(field: "schema", problem: "must be '\(Message.schema)'")
        }
        let version = try header.decode(Int.self, forKey: .version)
        guard Message.readsVersions.contains(version) else {
            let reads = Message.readsVersions
            throw ContractError(
                field: "version",
                problem: "\(version) is not supported (this service reads version \(reads.count == 1 ? "\(reads.lowerBound)" : "\(reads.lowerBound) to \(reads.upperBound)"))")
        }
        message = try Message(from: decoder)
    }
}

private struct Envelope<Message: Contract>: Encodable {
    var message: Message

    private enum CodingKeys: String, CodingKey { case schema, version }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Message.schema, forKey: .schema)
        try container.encode(Message.version, forKey: .version)
        try message.encode(to: encoder)
    }
}

extension ContractError {
    /// Names the field a decoding error is about, without its value.
    init(decoding error: any Error) {
        guard let error = error as? DecodingError else {
            self.init(field: "", problem: "is not JSON")
            return
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: Self.path(context.codingPath + [key]), problem: "is missing")
        case .valueNotFound(_, let context):
            self.init(field: Self.path(context.codingPath), problem: "is null")
        case .typeMismatch(let type, let context):
            self.init(field: Self.path(context.codingPath), problem: "is not \(Self.describe(type))")
        case .dataCorrupted(let context):
            self.init(
                field: Self.path(context.codingPath),
                problem: context.codingPath.isEmpty ? "is not JSON" : context.debugDescription)
        @unknown default:
            self.init(field: "", problem: "cannot be read")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var path = ""
        for key in keys {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return path
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Date.Type: "a timestamp (ISO 8601)"
        default: "of the expected type"
        }
    }
}
