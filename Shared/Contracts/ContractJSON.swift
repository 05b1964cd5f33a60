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
    public static func read<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws(ContractError) -> Value {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(type, from: Data(bytes))
        } catch let error as ContractError {
            throw error
        } catch {
            throw ContractError(decoding: error)
        }
    }
}
