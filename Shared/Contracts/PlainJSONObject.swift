/// A JSON object of the plain shape stored facts and members have: fields whose values
/// are text without escapes, whole numbers, booleans, null or such objects.
/// Read in one pass over the bytes, many times quicker than JSONDecoder;
/// anything else (an escape, a fraction, a list, a repeated field) is not
/// read at all, and the caller falls back to JSONDecoder, which reads JSON
/// of any shape and says what is wrong with it.
struct PlainJSONObject {
    enum Value {
        case text(String)
        case number(Int)
        case boolean(Bool)
        case null
        case object(PlainJSONObject)
    }

    private var fields: [(name: String, value: Value)] = []

    /// Nil when `json` (UTF-8) is not one object of the plain shape, alone.
    init?(utf8 json: UnsafeBufferPointer<UInt8>) {
        var scanner = Scanner(bytes: json)
        guard let object = scanner.object() else { return nil }
        scanner.skipSpace()
        guard scanner.position == json.count else { return nil }
        self = object
    }

    private init() {}

    /// The objects of a list of plain objects; nil when `json` (UTF-8) is not one, alone.
    static func list(utf8 json: UnsafeBufferPointer<UInt8>) -> [PlainJSONObject]? {
        var scanner = Scanner(bytes: json)
        guard scanner.take(UInt8(ascii: "[")) else { return nil }
        var objects: [PlainJSONObject] = []
        if !scanner.take(UInt8(ascii: "]")) {
            repeat {
                guard let object = scanner.object() else { return nil }
                objects.append(object)
            } while scanner.take(UInt8(ascii: ","))
            guard scanner.take(UInt8(ascii: "]")) else { return nil }
        }
        scanner.skipSpace()
        return scanner.position == json.count ? objects : nil
    }

    subscript(name: String) -> Value? {
        fields.first { $0.name == name }?.value
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func take(word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] { return false }
            position += count
            return true
        }

        mutating func object() -> PlainJSONObject? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var object = PlainJSONObject()
            if take(UInt8(ascii: "}")) { return object }
            repeat {
                skipSpace()
                guard let name = text(), take(UInt8(ascii: ":")), let value = value(),
                    !object.fields.contains(where: { $0.name == name })
                else { return nil }
                object.fields.append((name, value))
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}")) ? object : nil
        }

        mutating func value() -> Value? {
            skipSpace()
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "\""): return text().map(Value.text)
            case UInt8(ascii: "{"): return object().map(Value.object)
            case UInt8(ascii: "t"): return take(word: "true") ? .boolean(true) : nil
            case UInt8(ascii: "f"): return take(word: "false") ? .boolean(false) : nil
            case UInt8(ascii: "n"): return take(word: "null") ? .null : nil
            default: return number().map(Value.number)
            }
        }

        /// Text in quotes with no escape and no control character.
        mutating func text() -> String? {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
            let start = position + 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                guard bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 else { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            position = end + 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }

        /// A whole number as JSON writes it: an optional minus, then 0 or digits not starting with 0.
        mutating func number() -> Int? {
            let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            let start = position
            var magnitude = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                let (times10, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflowPlus) = times10.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
                guard !overflowTimes, !overflowPlus else { return nil }
                magnitude = sum
                position += 1
            }
            let digits = position - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            // A fraction or an exponent: not a whole number as written.
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") || bytes[position] | 0x20 == UInt8(ascii: "e") { return nil }
            return negative ? -magnitude : magnitude
        }
    }
}
