import Digest
import Foundation

extension PersonIdentity {
    /// The identity as matching compares it: names folded to lower-case
    /// letters without accents, spaces, hyphens or apostrophes, and the date
    /// of birth. `Zoë O'Brien-Smith` and `zoe obriensmith` are the same person.
    public var matchKey: String {
        Self.fold(familyName) + "|" + Self.fold(givenName) + "|" + dateOfBirth.description
    }

    /// ``matchKey`` hashed: what intake stores and keys by, so the key
    /// itself reveals no name.
    public var keyHash: String { SHA256.hex(Array(matchKey.utf8)) }

    /// A name as matching compares it: lower-case letters without accents,
    /// spaces, hyphens or apostrophes.
    public static func fold(_ name: String) -> String {
        // Most names are ASCII: their letters, lower-cased, are the folded name.
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: name.utf8.compactMap { byte -> UInt8? in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): byte
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: nil
                }
            }, as: UTF8.self)
        }
        return name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
            .filter(\.isLetter)
    }
}
