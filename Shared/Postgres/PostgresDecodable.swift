import Foundation

/// A Swift type a result column can be read as. Results arrive in
/// PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Reads the column's text; nil when the text is not a value of this type.
    init?(postgresText text: String)
    /// The value SQL NULL reads as, or nil when this type cannot hold NULL.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension String: PostgresDecodable {
    public init?(postgresText text: String) { self = text }
}

extension Int: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int64: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int32: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Double: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Bool: PostgresDecodable {
    public init?(postgresText text: String) {
        switch text {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresDecodable {
    public init?(postgresText text: String) { self.init(uuidString: text) }
}

extension Data: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let bytes = PostgresHex.bytes(fromByteaLiteral: text) else { return nil }
        self.init(bytes)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let value = Wrapped(postgresText: text) else { return nil }
        self = .some(value)
    }

    public static var postgresNull: Self? { .some(.none) }
}
