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

    private static func fold(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
            .filter(\.isLetter)
    }
}
