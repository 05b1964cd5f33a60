import Foundation

/// One statement parameter as libpq sends it.
public enum PostgresParameter: Sendable, Hashable {
    case null
    /// Text the server parses as whatever type the statement needs.
    case text(String)
    /// Raw bytes, sent in binary format as `bytea`.
    case bytes([UInt8])
}

/// A Swift value that can be a statement parameter.
public protocol PostgresBindable: Sendable {
    var postgresParameter: PostgresParameter { get }
}

extension String: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(self) }
}

extension Substring: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(String(self)) }
}

extension Int: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(String(self)) }
}

extension Int64: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(String(self)) }
}

extension Int32: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(String(self)) }
}

extension Double: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(String(self)) }
}

extension Bool: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(self ? "t" : "f") }
}

extension UUID: PostgresBindable {
    public var postgresParameter: PostgresParameter { .text(PostgresHex.uuidText(self)) }
}

extension Date: PostgresBindable {
    /// Sent as an ISO 8601 instant in UTC, which `timestamptz` reads exactly.
    public var postgresParameter: PostgresParameter {
        .text(formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)))
    }
}

extension Data: PostgresBindable {
    public var postgresParameter: PostgresParameter { .bytes([UInt8](self)) }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresParameter: PostgresParameter {
        switch self {
        case .none: .null
        case .some(let value): value.postgresParameter
        }
    }
}

extension Array: PostgresBindable where Element: PostgresBindable {
    /// Sent as a PostgreSQL array literal, so one parameter carries a whole
    /// column of rows (`INSERT ... SELECT * FROM unnest($1::text[], ...)`).
    public var postgresParameter: PostgresParameter {
        // Built as bytes: whole columns of a batch pass through here.
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(2 + count * 16)
        for (index, element) in enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            switch element.postgresParameter {
            case .null:
                literal += "NULL".utf8
            case .text(let text):
                Self.appendQuoted(text, to: &literal)
            case .bytes(let bytes):
                Self.appendQuoted(PostgresHex.byteaLiteral(bytes), to: &literal)
            }
        }
        literal.append(UInt8(ascii: "}"))
        return .text(String(decoding: literal, as: UTF8.self))
    }

    private static func appendQuoted(_ text: String, to literal: inout [UInt8]) {
        literal.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
            literal.append(byte)
        }
        literal.append(UInt8(ascii: "\""))
    }
}

enum PostgresHex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// `bytea`'s text form: `\x` followed by two hex digits a byte.
    static func byteaLiteral(_ bytes: [UInt8]) -> String {
        var utf8: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        utf8.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Reads `bytea`'s hex text form; nil when it is not one.
    static func bytes(fromByteaLiteral text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// A UUID's text form in lower case, as Postgres writes it. Written by
    /// hand: Foundation formats it with `sprintf`, and whole columns of a
    /// batch's ids pass through here.
    static func uuidText(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            var utf8: [UInt8] = []
            utf8.reserveCapacity(36)
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { utf8.append(UInt8(ascii: "-")) }
                utf8.append(digits[Int(byte >> 4)])
                utf8.append(digits[Int(byte & 0x0f)])
            }
            return String(decoding: utf8, as: UTF8.self)
        }
    }

    /// Reads a UUID's text form (either case, with its four hyphens); nil when it is not one.
    static func uuid(fromText text: String) -> UUID? {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { characters -> UUID? in
            guard characters.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        guard characters[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    guard let high = nibble(characters[position]), let low = nibble(characters[position + 1]) else { return false }
                    output[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return parsed ? UUID(uuid: bytes) : nil
        } ?? UUID(uuidString: String(text))
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
