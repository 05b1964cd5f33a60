/// Writes JSON byte by byte as ``ContractJSON/encode(_:)`` does (no spaces,
/// slashes unescaped, the same escapes), for a message sent often enough
/// that JSONEncoder's cost shows. The caller writes each object's keys in
/// sorted order, as ContractJSON sorts them, and leaves out absent optionals,
/// as Codable does; a test holds each such message to ContractJSON's bytes.
struct ContractJSONWriter {
    private(set) var bytes: [UInt8]
    /// Whether the next value opens its object or array (or follows its
    /// key), so takes no comma before it.
    private var opensContainer = true

    init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func openObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        opensContainer = true
    }

    mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        opensContainer = false
    }

    mutating func openArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        opensContainer = true
    }

    mutating func closeArray() {
        bytes.append(UInt8(ascii: "]"))
        opensContainer = false
    }

    /// A member's key; its value comes next.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        opensContainer = true
    }

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var plainFrom = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom..<index]))
                escape(byte)
                plainFrom = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// JSON already written, as one value (it must be one).
    mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    private mutating func separate() {
        if !opensContainer { bytes.append(UInt8(ascii: ",")) }
        opensContainer = false
    }

    /// JSONEncoder's escapes: the short ones where JSON has them, `\u00xx` for the other control characters.
    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }
}
