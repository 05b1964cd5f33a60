import Foundation

/// A value kept in a `json` or `jsonb` column: bound as its JSON text (cast
/// it in the statement, `$1::jsonb`, or `$1::text[]` for a column of rows)
/// and read back as the value from the column's text (`column::text`).
/// Dates travel as ISO 8601, keys sorted, as the pipeline's messages write them.
public struct PostgresJSON<Value: Codable & Sendable>: Sendable {
    public var value: Value

    public init(_ value: Value) {
        self.value = value
    }
}

extension PostgresJSON: PostgresBindable {
    public var postgresParameter: PostgresParameter {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // A Codable value of plain data always encodes; one whose encoding
        // throws is a programming error, not a row's problem.
        return .text(String(decoding: try! encoder.encode(value), as: UTF8.self))
    }
}

extension PostgresJSON: PostgresDecodable {
    /// Nil when the text is not JSON of `Value`'s shape: the column is read
    /// as the wrong type, reported as a decoding error naming it.
    public init?(postgresText text: String) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let value = try? decoder.decode(Value.self, from: Data(text.utf8)) else { return nil }
        self.value = value
    }
}

extension PostgresJSON: Equatable where Value: Equatable {}
extension PostgresJSON: Hashable where Value: Hashable {}
