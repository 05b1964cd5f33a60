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

extension ContractJSON {
    /// The fields of the JSON in `bytes` that `value`, read from it and
    /// written again, does not hold: the fields its type does not know, by
    /// path (`referral.members[0].middle_name`), in order. A field given as
    /// null is an absent one.
    public static func unknownFields(in bytes: [UInt8], readAs value: some Encodable) -> [String] {
        guard let given = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let known = try? JSONSerialization.jsonObject(with: Data(encode(value).utf8))
        else { return [] }
        var unknown: [String] = []
        collectUnknown(given, known, path: "", into: &unknown)
        return unknown
    }

    private static func collectUnknown(_ given: Any, _ known: Any, path: String, into unknown: inout [String]) {
        if let given = given as? [String: Any] {
            let known = known as? [String: Any] ?? [:]
            for key in given.keys.sorted() where !(given[key] is NSNull) {
                let field = path.isEmpty ? key : path + "." + key
                guard let knownValue = known[key] else {
                    unknown.append(field)
                    continue
                }
                collectUnknown(given[key]!, knownValue, path: field, into: &unknown)
            }
        } else if let given = given as? [Any], let known = known as? [Any] {
            for (index, element) in given.enumerated() where index < known.count {
                collectUnknown(element, known[index], path: path + "[\(index)]", into: &unknown)
            }
        }
    }
}
