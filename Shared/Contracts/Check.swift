import Foundation
import Rules

/// The checks contracts share. Each names the field; none quotes its value.
enum Check {
    /// Free text an agency or service supplies: present, bounded, one line.
    static func text(_ value: String, _ field: String, maxLength: Int = 200) throws(ContractError) {
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw ContractError(field: field, problem: "is empty") }
        guard value.count <= maxLength else { throw ContractError(field: field, problem: "is longer than \(maxLength) characters") }
        guard !value.contains(where: \.isNewline) else { throw ContractError(field: field, problem: "has a line break") }
    }

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

    private static let allowedInIdentifiers: Set<Unicode.Scalar> = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:".unicodeScalars)
}
