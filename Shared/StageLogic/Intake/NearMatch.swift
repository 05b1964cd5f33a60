import Contracts
import Foundation
import Store
import Vocabulary

/// How a person a referral names may be someone intake knows, though not
/// exactly (an exact match, folded names and date of birth, is the same
/// person): the cases a co-ordinator is asked about, never merged by
/// themselves.
enum NearMatch: Sendable, Hashable {
    /// Names a few letters apart ("Jon" and "John"), the same date of birth.
    case namesApart(Int)
    /// The same date of birth and address, other names.
    case sameBirthAndAddress
    /// The same names (or nearly), day and month of birth swapped.
    case dayAndMonthSwapped

    var description: String {
        switch self {
        case .namesApart(let letters): "names \(letters) letter\(letters == 1 ? "" : "s") apart, the same date of birth"
        case .sameBirthAndAddress: "the same date of birth and address, other names"
        case .dayAndMonthSwapped: "the same names, day and month of birth swapped"
        }
    }

    /// A person as near matching compares them.
    struct Person: Sendable, Hashable {
        var familyID: UUID
        var memberLabel: String
        var givenName: String
        var familyName: String
        var dateOfBirth: String
        var addressKey: String

        init(_ candidate: HouseholdTables.Candidate) {
            self.init(
                familyID: candidate.familyID, memberLabel: candidate.memberLabel, givenName: PersonIdentity.fold(candidate.givenName),
                familyName: PersonIdentity.fold(candidate.familyName), dateOfBirth: candidate.dateOfBirth, addressKey: candidate.addressKey)
        }

        init(familyID: UUID, memberLabel: String, givenName: String, familyName: String, dateOfBirth: String, addressKey: String) {
            self.familyID = familyID
            self.memberLabel = memberLabel
            self.givenName = givenName
            self.familyName = familyName
            self.dateOfBirth = dateOfBirth
            self.addressKey = addressKey
        }
    }

    /// How `person` may be `known`, if at all. Names are compared folded.
    static func compare(_ person: Person, with known: Person) -> NearMatch? {
        let given = editDistance(person.givenName, known.givenName)
        let family = editDistance(person.familyName, known.familyName)
        // A name may lose or gain a few letters, never a third of them.
        let close = given <= allowance(person.givenName, known.givenName) && family <= allowance(person.familyName, known.familyName)
        if person.dateOfBirth == known.dateOfBirth {
            if close && given + family <= 2 { return .namesApart(given + family) }
            return person.addressKey == known.addressKey ? .sameBirthAndAddress : nil
        }
        // Born on other days: one of them is the other with day and month swapped.
        if birthdays(toCompareWith: person.dateOfBirth).contains(known.dateOfBirth) && close && given + family <= 1 { return .dayAndMonthSwapped }
        return nil
    }

    private static func allowance(_ one: String, _ other: String) -> Int {
        max(1, (min(one.count, other.count) + 2) / 3)
    }

    /// The birthdays (`YYYY-MM-DD`) of people someone born on `day` may
    /// nearly match: that day, and the day with day and month swapped when
    /// that is another real day.
    static func birthdays(toCompareWith day: String) -> [String] {
        let parts = day.split(separator: "-")
        guard parts.count == 3, parts[1] != parts[2], let swapped = CalendarDate(iso: "\(parts[0])-\(parts[2])-\(parts[1])") else {
            return [day]
        }
        return [day, swapped.description]
    }

    /// The fewest letters inserted, deleted or replaced to make one the other.
    static func editDistance(_ one: String, _ other: String) -> Int {
        let a = Array(one.unicodeScalars)
        let b = Array(other.unicodeScalars)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
