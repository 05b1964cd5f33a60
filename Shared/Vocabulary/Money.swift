/// Amounts in pounds and pence, held as whole pence.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let pence: Int

    public init(pence: Int) {
        self.pence = pence
    }

    public static let zero = Money(pence: 0)

    public static func + (lhs: Money, rhs: Money) -> Money { Money(pence: lhs.pence + rhs.pence) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(pence: lhs.pence - rhs.pence) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.pence < rhs.pence }

    /// `£3,200` or `£700.50`.
    public var description: String {
        let pounds = String(pence / 100)
        var grouped = ""
        for (index, digit) in pounds.enumerated() {
            if index > 0 && (pounds.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let remainder = pence % 100
        return "£" + grouped + (remainder == 0 ? "" : ".\(remainder < 10 ? "0" : "")\(remainder)")
    }

    /// `3200.00`: pounds for a spreadsheet or a program, no sign or grouping.
    public var decimalPounds: String {
        let remainder = pence % 100
        return "\(pence / 100).\(remainder < 10 ? "0" : "")\(remainder)"
    }

    /// Read from a number of pounds, such as `3200` or `700.5`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let pounds = try container.decode(Double.self)
        guard pounds >= 0 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must not be negative")
        }
        // A number too large for whole pence is bad input, not a reason to trap.
        guard let pence = Int(exactly: (pounds * 100).rounded()) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "is too large")
        }
        self.pence = pence
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Double(pence) / 100)
    }
}
