import Foundation

/// One statement parameter as libpq sends it.
public enum PostgresParameter: Sendable, Hashable {
    case null
    /// Text the server parses as whatever type the statement needs.
    case text(String)
    /// Raw bytes, sent in binary format as `bytea`.
    case bytes([UInt8])
    /// A whole array, sent in PostgreSQL's binary array format with its type.
    case array(PostgresArray)
}

/// An array parameter in PostgreSQL's binary format (`array_recv`'s input):
/// a `text[]` of its elements' text forms, which the statement casts to the
/// type it needs (`$1::uuid[]`), or a `bytea[]` of raw bytes. Binary, because
/// whole columns of a batch travel this way: as an array literal, every
/// element was quoted and escaped here and scanned again by the server,
/// and bytes went as hex text, twice their size.
public struct PostgresArray: Sendable, Hashable {
    /// The array type's oid: `text[]` or `bytea[]`.
    public let type: UInt32
    /// The header and the elements, as `array_recv` reads them.
    public let bytes: [UInt8]

    private static let textArray: UInt32 = 1009
    private static let byteaArray: UInt32 = 1001
    private static let text: UInt32 = 25
    private static let bytea: UInt32 = 17

    /// - Precondition: the elements are text, bytes or null, not both text and bytes.
    init(_ elements: [PostgresParameter]) {
        let isBytes = elements.contains { if case .bytes = $0 { true } else { false } }
        type = isBytes ? Self.byteaArray : Self.textArray
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + elements.count * 24)
        let hasNulls = elements.contains(.null)
        Self.append(Int32(elements.isEmpty ? 0 : 1), to: &bytes)
        Self.append(Int32(hasNulls ? 1 : 0), to: &bytes)
        Self.append(Int32(bitPattern: isBytes ? Self.bytea : Self.text), to: &bytes)
        if !elements.isEmpty {
            Self.append(Int32(elements.count), to: &bytes)
            Self.append(Int32(1), to: &bytes)
        }
        for element in elements {
            switch element {
            case .null:
                Self.append(Int32(-1), to: &bytes)
            case .text(let text):
                precondition(!isBytes, "an array parameter mixes text and bytes")
                Self.append(Int32(text.utf8.count), to: &bytes)
                bytes += text.utf8
            case .bytes(let raw):
                Self.append(Int32(raw.count), to: &bytes)
                bytes += raw
            case .array:
                preconditionFailure("arrays of arrays are not parameters")
            }
        }
        self.bytes = bytes
    }

    private static func append(_ value: Int32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes += $0 }
    }
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
    /// Sent as one array parameter (``PostgresArray``), so one parameter
    /// carries a whole column of rows (`INSERT ... SELECT * FROM unnest($1::text[], ...)`).
    public var postgresParameter: PostgresParameter {
        .array(PostgresArray(map(\.postgresParameter)))
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

    /// Reads `bytea`'s hex text form (UTF-8); nil when it is not one.
    static func bytes(fromByteaLiteral utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
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
        text.utf8.withContiguousStorageIfAvailable(uuid(fromUTF8:)) ?? UUID(uuidString: text)
    }

    /// ``uuid(fromText:)`` of UTF-8 bytes.
    static func uuid(fromUTF8 characters: UnsafeBufferPointer<UInt8>) -> UUID? {
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
