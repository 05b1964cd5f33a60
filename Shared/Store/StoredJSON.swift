import Postgres

/// A value a table keeps as JSON and reads back by the hundred thousand (a
/// stage's facts, its families' members): it has a reader of its stored
/// text quicker than JSONDecoder.
public protocol StoredJSON: Codable, Sendable {
    /// The value `json` (the column's text, UTF-8) holds, read quicker than
    /// by JSONDecoder; nil to have JSONDecoder read it.
    init?(storedJSONUTF8 json: UnsafeBufferPointer<UInt8>)
}

/// A JSON column's text, read by its value's quick reader, or else by JSONDecoder.
struct StoredJSONColumn<Value: StoredJSON>: PostgresDecodable {
    var value: Value

    init?(postgresText text: String) {
        var text = text
        guard let column = text.withUTF8(Self.init(postgresUTF8:)) else { return nil }
        self = column
    }

    init?(postgresUTF8 text: UnsafeBufferPointer<UInt8>) {
        guard
            let value = Value(storedJSONUTF8: text)
                ?? PostgresJSON<Value>(postgresText: String(decoding: text, as: UTF8.self))?.value
        else { return nil }
        self.value = value
    }
}
