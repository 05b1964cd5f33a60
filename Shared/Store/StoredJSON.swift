import Postgres

/// A value a table keeps as JSON and reads back by the hundred thousand (a
/// stage's facts, its families' members): it has a reader of its stored
/// text quicker than JSONDecoder.
public protocol StoredJSON: Codable, Sendable {
    /// The value `json` (the column's text) holds, read quicker than by
    /// JSONDecoder; nil to have JSONDecoder read it.
    init?(storedJSON json: String)
}

/// A JSON column's text, read by its value's quick reader, or else by JSONDecoder.
struct StoredJSONColumn<Value: StoredJSON>: PostgresDecodable {
    var value: Value

    init?(postgresText text: String) {
        guard let value = Value(storedJSON: text) ?? PostgresJSON<Value>(postgresText: text)?.value else { return nil }
        self.value = value
    }
}
