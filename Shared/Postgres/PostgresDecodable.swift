import Foundation

/// A Swift type a result column can be read as. Results arrive in
/// PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Reads the column's text; nil when the text is not a value of this type.
    init?(postgresText text: String)
    /// Reads the column's text as the result holds it, UTF-8 (valid for the
    /// call only); by default as a `String`. Rows are read this way: a type
    /// read by the hundred thousand reads the bytes, with no `String` made.
    init?(postgresUTF8 text: UnsafeBufferPointer<UInt8>)
    /// The value SQL NULL reads as, or nil when this type cannot hold NULL.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public init?(postgresUTF8 text: UnsafeBufferPointer<UInt8>) {
        self.init(postgresText: String(decoding: text, as: UTF8.self))
    }

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
    public init?(postgresText text: String) {
        guard let uuid = PostgresHex.uuid(fromText: text) else { return nil }
        self = uuid
    }

    public init?(postgresUTF8 text: UnsafeBufferPointer<UInt8>) {
        guard let uuid = PostgresHex.uuid(fromUTF8: text) else { return nil }
        self = uuid
    }
}

extension Data: PostgresDecodable {
    public init?(postgresText text: String) {
        var text = text
        guard let data = text.withUTF8(Self.init(postgresUTF8:)) else { return nil }
        self = data
    }

    public init?(postgresUTF8 text: UnsafeBufferPointer<UInt8>) {
        guard let bytes = PostgresHex.bytes(fromByteaLiteral: text) else { return nil }
        self.init(bytes)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let value = Wrapped(postgresText: text) else { return nil }
        self = .some(value)
    }

    public init?(postgresUTF8 text: UnsafeBufferPointer<UInt8>) {
        guard let value = Wrapped(postgresUTF8: text) else { return nil }
        self = .some(value)
    }

    public static var postgresNull: Self? { .some(.none) }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` in the ISO output style, `2026-11-22 10:15:30.123456+00`
    /// (the offset may carry minutes: `+05:30`).
    public init?(postgresText text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 22, utf8[10] == UInt8(ascii: " ") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: utf8[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if utf8[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < utf8.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[index]) { index += 1 }
            guard let digits = number(start..<index) else { return nil }
            fraction = Double(digits) / pow(10, Double(index - start))
        }
        guard index + 3 <= utf8.count, utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-"),
            let offsetHours = number(index + 1..<index + 3)
        else { return nil }
        var offsetMinutes = offsetHours * 60
        if index + 6 <= utf8.count, utf8[index + 3] == UInt8(ascii: ":"), let minutes = number(index + 4..<index + 6) {
            offsetMinutes += minutes
        }
        if utf8[index] == UInt8(ascii: "-") { offsetMinutes = -offsetMinutes }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let whole = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
        else { return nil }
        self = whole.addingTimeInterval(fraction - Double(offsetMinutes * 60))
    }
}
