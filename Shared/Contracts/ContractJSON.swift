import Foundation

/// JSON written and read the way the messages are: sorted keys, ISO 8601
/// dates, and errors that name the field.
public enum ContractJSON {
    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding plain values into JSON cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}

extension ContractJSON {
    /// Reads a part of a contract, such as one line of an agency's file.
    /// - Throws: ``ContractError`` naming the field that is missing or of the wrong type.
    /// - Parameter strictlyAs: the schema and version the bytes are read as
    ///   (`referral v1`), when a field the types do not name is refused
    ///   (see ``Decoder/refuseUnknownFields(_:also:)``).
    public static func read<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], strictlyAs schema: String? = nil) throws(ContractError) -> Value {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            if let schema { decoder.userInfo[.strictSchema] = schema }
            return try decoder.decode(type, from: Data(bytes))
        } catch let error as ContractError {
            throw error
        } catch {
            throw ContractError(decoding: error)
        }
    }
}


extension CodingUserInfoKey {
    /// The schema a strict read refuses unknown fields against.
    static let strictSchema = CodingUserInfoKey(rawValue: "turnaround.strictSchema")!
}

/// Any key of a JSON object, to list them all.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// In a strict read, refuses a field of this object that `Keys` (or
    /// `also`) does not name; a field given as null is an absent one. A
    /// misspelt optional field (`end` for `to`) would otherwise pass as absent.
    func refuseUnknownFields<Keys: CodingKey>(_ keys: Keys.Type, also: Set<String> = []) throws {
        guard let schema = userInfo[.strictSchema] as? String else { return }
        let container = try container(keyedBy: AnyKey.self)
        var unknown: [AnyKey] = []
        for key in container.allKeys where Keys(stringValue: key.stringValue) == nil && !also.contains(key.stringValue) {
            if try !container.decodeNil(forKey: key) { unknown.append(key) }
        }
        guard let first = unknown.min(by: { $0.stringValue < $1.stringValue }) else { return }
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [first], debugDescription: "is not a field of \(schema)"))
    }
}
