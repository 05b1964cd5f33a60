import Foundation
import Vocabulary

/// The checks contracts share. Each names the field; none quotes its value.
enum Check {
    /// Free text an agency or service supplies: present, bounded, one line.
    /// Reads the text's scalars, not its characters: every line of every
    /// file passes here, and characters cost a grapheme break each.
    static func text(_ value: String, _ field: String, maxLength: Int = 200) throws(ContractError) {
        guard value.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw ContractError(field: field, problem: "is empty")
        }
        // No more bytes than the limit: no more characters either.
        guard value.utf8.count <= maxLength || value.count <= maxLength else {
            throw ContractError(field: field, problem: "is longer than \(maxLength) characters")
        }
        // One pass, ASCII decided by value: most text is ASCII, and a scalar's properties cost a lookup.
        for scalar in value.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value < 0x7F { continue }
            if lineBreaks.contains(scalar) { throw ContractError(field: field, problem: "has a line break") }
            // NUL, C0 and C1 controls and DEL: nothing a person types, and NUL is refused by Postgres.
            if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.properties.generalCategory == .control) {
                throw ContractError(field: field, problem: "holds a control character")
            }
            // A right-to-left override shows "Ann Smith" for other letters: text must read as it is.
            if bidirectionalControls.contains(scalar) {
                throw ContractError(field: field, problem: "holds a bidirectional control character (an override, embedding, isolate or mark)")
            }
        }
    }

    /// Unicode's bidirectional formatting characters: embeddings, overrides, isolates and marks.
    private static let bidirectionalControls: Set<Unicode.Scalar> = Set(
        (0x202A...0x202E).compactMap(Unicode.Scalar.init) + (0x2066...0x2069).compactMap(Unicode.Scalar.init)
            + ["\u{200E}", "\u{200F}", "\u{061C}"])

    /// An identifier: letters, digits and `-_./:`, so it can sit in keys and file names.
    static func identifier(_ value: String, _ field: String, maxLength: Int = 100) throws(ContractError) {
        try text(value, field, maxLength: maxLength)
        guard value.unicodeScalars.allSatisfy({ allowedInIdentifiers.contains($0) }) else {
            throw ContractError(field: field, problem: "may hold only letters, digits and - _ . / :")
        }
    }

    static func nonEmpty<Element>(_ list: [Element], _ field: String) throws(ContractError) {
        guard !list.isEmpty else { throw ContractError(field: field, problem: "is empty") }
    }

    static func notNegative(_ value: Int, _ field: String) throws(ContractError) {
        guard value >= 0 else { throw ContractError(field: field, problem: "is negative") }
    }

    /// A date that cannot be in the future (a birth, an offence, a spell's start).
    static func notFuture(_ date: CalendarDate, _ field: String, today: CalendarDate = .today) throws(ContractError) {
        guard date <= today.adding(days: 1) else { throw ContractError(field: field, problem: "is in the future") }
    }

    /// The scalars `Character.isNewline` is true of.
    private static let lineBreaks: Set<Unicode.Scalar> = ["\n", "\u{0B}", "\u{0C}", "\r", "\u{85}", "\u{2028}", "\u{2029}"]

    private static let allowedInIdentifiers: Set<Unicode.Scalar> = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:".unicodeScalars)
}

/// The id an agency is registered under and signs its messages with.
public enum AgencyID {
    /// - Throws: ``ContractError`` naming `field` when `id` is empty, longer
    ///   than 100 characters or holds anything but letters, digits and `- _ . / :`.
    public static func check(_ id: String, field: String = "agency") throws(ContractError) {
        try Check.identifier(id, field)
    }
}

/// A member of staff's id (a co-ordinator, a keyworker): what the audit
/// trail records of who did something, never a name.
public enum StaffID {
    /// - Throws: ``ContractError`` naming `field`, as ``AgencyID/check(_:field:)`` does.
    public static func check(_ id: String, field: String) throws(ContractError) {
        try Check.identifier(id, field)
    }
}

/// Free text a member of staff gives (a reason, a note), kept with what they did.
public enum StaffNote {
    /// - Throws: ``ContractError`` naming `field` when the text is empty,
    ///   longer than `maxLength`, more than a line, or holds control characters.
    public static func check(_ text: String, field: String, maxLength: Int = 500) throws(ContractError) {
        try Check.text(text, field, maxLength: maxLength)
    }
}
