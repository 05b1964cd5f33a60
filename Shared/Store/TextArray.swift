import Foundation

/// A list of texts for one row of a multi-row statement: Postgres arrays
/// cannot nest, so each row's list goes as JSON text and the statement
/// unpacks it (`jsonb_array_elements_text(x::jsonb) WITH ORDINALITY`).
enum TextArray {
    static func json(_ texts: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(texts), as: UTF8.self)
    }
}
