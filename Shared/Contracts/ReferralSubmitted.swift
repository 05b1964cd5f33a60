import Foundation
import Vocabulary

/// An agency's referral of a family, as it sends it to intake. The only
/// message that carries names and an address; intake keeps them and sends
/// on pseudonymous ids. Signed with the agency's key (see ``AgencySignature``).
public struct ReferralSubmitted: Contract, Hashable {
    public static let schema = "referral.submitted"
    public static let version = 1

    /// The agency's id, as the local authority registered it.
    public var agency: String
    public var submittedAt: Date
    public var referral: Referral

    public init(agency: String, submittedAt: Date, referral: Referral) {
        self.agency = agency
        self.submittedAt = submittedAt
        self.referral = referral
    }

    public init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self, also: ["schema", "version"])
        agency = try fields.read(String.self, .agency, else: "")
        submittedAt = try fields.read(Date.self, .submittedAt, else: Date(timeIntervalSince1970: 0))
        referral = try fields.read(Referral.self, .referral, else: Referral(id: "", address: Address(lines: [], postcode: ""), members: [], reasons: []))
        try fields.finish { _ throws(ContractError) in try validate() }
    }

    public var partitionKey: String { agency + "/" + referral.id }

    public func validate() throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.identifier(agency, "agency") }
        problems.check { () throws(ContractError) in try referral.validate(at: "referral") }
        try problems.throwIfAny()
    }
}

/// What an agency knows of a family and why it refers it: one line of an
/// agency's referrals file.
public struct Referral: Codable, Sendable, Hashable {
    /// The agency's own id for the referral, unique within the agency.
    public var id: String
    public var address: Address
    public var members: [ReferredPerson]
    /// The agency's reasons, in its words (`school attendance`, `ASB`).
    public var reasons: [String]

    public init(id: String, address: Address, members: [ReferredPerson], reasons: [String]) {
        self.id = id
        self.address = address
        self.members = members
        self.reasons = reasons
    }

    public init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self)
        id = try fields.read(String.self, .id, else: "")
        address = try fields.read(Address.self, .address, else: Address(lines: [], postcode: ""))
        members = try fields.readEach(ReferredPerson.self, .members, else: ReferredPerson(ref: "", givenName: "", familyName: "", dateOfBirth: PersonIdentity.standInDate))
        reasons = try fields.readEach(String.self, .reasons, else: "")
        try fields.finish { field throws(ContractError) in try validate(at: field) }
    }

    public func validate(at field: String) throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.identifier(id, field + ".id") }
        problems.check { () throws(ContractError) in try address.validate(at: field + ".address") }
        problems.check { () throws(ContractError) in try Check.nonEmpty(members, field + ".members") }
        var refs: Set<String> = []
        var people: [String: Int] = [:]
        for (index, member) in members.enumerated() {
            let at = field + ".members[\(index)]"
            problems.check { () throws(ContractError) in try member.validate(at: at) }
            if !refs.insert(member.ref).inserted {
                problems.add(ContractError(field: at + ".ref", problem: "is used by another member"))
            }
            // Matching folds names: "Ann Smith" and "ann  smith" are one person.
            if let earlier = people.updateValue(index, forKey: member.identity.matchKey) {
                problems.add(ContractError(field: at, problem: "is the same person as \(field).members[\(earlier)]"))
            }
        }
        problems.check { () throws(ContractError) in try Check.nonEmpty(reasons, field + ".reasons") }
        for (index, reason) in reasons.enumerated() {
            problems.check { () throws(ContractError) in
                try Check.text(reason, field + ".reasons[\(index)]")
                guard Self.foldedReasons.contains(reason.lowercased()) else {
                    throw ContractError(
                        field: field + ".reasons[\(index)]", problem: "is not a referral reason: one of \(Self.reasons.joined(separator: "; "))")
                }
            }
        }
        try problems.throwIfAny()
    }

    /// What a referral may give as a reason (in any case): the programme's
    /// problem areas as agencies name them (docs/contracts.md lists them).
    public static let reasons = [
        "youth offending", "adult offending", "anti-social behaviour", "ASB", "school attendance", "school exclusion",
        "not in education, employment or training", "worklessness", "financial difficulty", "domestic abuse", "health",
        "mental health", "substance misuse", "children needing help", "child protection", "housing", "local discretion",
    ]

    private static let foldedReasons = Set(reasons.map { $0.lowercased() })
}

public struct Address: Codable, Sendable, Hashable {
    public var lines: [String]
    public var postcode: String

    public init(lines: [String], postcode: String) {
        self.lines = lines
        self.postcode = postcode
    }

    public init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self)
        lines = try fields.readEach(String.self, .lines, else: "").map(\.canonical)
        postcode = try fields.read(String.self, .postcode, else: "")
        try fields.finish { field throws(ContractError) in try validate(at: field) }
    }

    func validate(at field: String) throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.nonEmpty(lines, field + ".lines") }
        for (index, line) in lines.enumerated() {
            problems.check { () throws(ContractError) in try Check.text(line, field + ".lines[\(index)]") }
        }
        if !Self.isPostcode(postcode) { problems.add(ContractError(field: field + ".postcode", problem: "is not a UK postcode")) }
        try problems.throwIfAny()
    }

    /// The outward code (1–2 letters, a digit, then a letter or digit) and
    /// the inward code (a digit and two letters), the space optional.
    static func isPostcode(_ text: String) -> Bool {
        let compact = Array(text.uppercased().filter { $0 != " " })
        guard (5...7).contains(compact.count) else { return false }
        let inward = compact.suffix(3)
        let outward = compact.prefix(compact.count - 3)
        guard inward.first!.isNumber, inward.dropFirst().allSatisfy({ $0.isLetter && $0.isASCII }) else { return false }
        guard outward.first!.isLetter, outward.allSatisfy({ ($0.isLetter || $0.isNumber) && $0.isASCII }),
            outward.contains(where: \.isNumber)
        else { return false }
        return true
    }
}

/// A person as an agency names them.
public struct ReferredPerson: Codable, Sendable, Hashable {
    /// The person's label within the referral (`mother`, `child-1`), to name
    /// the member in errors without their name.
    public var ref: String
    public var givenName: String
    public var familyName: String
    public var dateOfBirth: CalendarDate

    public init(ref: String, givenName: String, familyName: String, dateOfBirth: CalendarDate) {
        self.ref = ref
        self.givenName = givenName
        self.familyName = familyName
        self.dateOfBirth = dateOfBirth
    }

    public init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self)
        ref = try fields.read(String.self, .ref, else: "")
        givenName = try fields.read(String.self, .givenName, else: "").canonical
        familyName = try fields.read(String.self, .familyName, else: "").canonical
        dateOfBirth = try fields.read(CalendarDate.self, .dateOfBirth, else: PersonIdentity.standInDate)
        try fields.finish { field throws(ContractError) in try validate(at: field) }
    }

    public var identity: PersonIdentity {
        PersonIdentity(givenName: givenName, familyName: familyName, dateOfBirth: dateOfBirth)
    }

    func validate(at field: String) throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.identifier(ref, field + ".ref", maxLength: 40) }
        problems.check { () throws(ContractError) in try identity.validate(at: field) }
        try problems.throwIfAny()
    }
}

/// Who a person is, as the agencies know them: what intake matches people on.
public struct PersonIdentity: Codable, Sendable, Hashable {
    public var givenName: String
    public var familyName: String
    public var dateOfBirth: CalendarDate

    public init(givenName: String, familyName: String, dateOfBirth: CalendarDate) {
        self.givenName = givenName
        self.familyName = familyName
        self.dateOfBirth = dateOfBirth
    }

    public init(from decoder: any Decoder) throws {
        var fields = try FieldReader(decoder, CodingKeys.self)
        givenName = try fields.read(String.self, .givenName, else: "").canonical
        familyName = try fields.read(String.self, .familyName, else: "").canonical
        dateOfBirth = try fields.read(CalendarDate.self, .dateOfBirth, else: Self.standInDate)
        try fields.finish { field throws(ContractError) in try validate(at: field) }
    }

    /// What stands in for a date of birth that cannot be read, in a careful read.
    static let standInDate = CalendarDate(daysSinceEpoch: 0)

    /// Legal names run long (several given names, double-barrelled family names).
    public static let longestName = 255

    func validate(at field: String) throws(ContractError) {
        var problems = Problems()
        problems.check { () throws(ContractError) in try Check.text(givenName, field + ".givenName", maxLength: Self.longestName) }
        problems.check { () throws(ContractError) in try Check.text(familyName, field + ".familyName", maxLength: Self.longestName) }
        problems.check { () throws(ContractError) in
            try Check.notFuture(dateOfBirth, field + ".dateOfBirth")
            guard dateOfBirth >= CalendarDate(year: 1900, month: 1, day: 1) else {
                throw ContractError(field: field + ".dateOfBirth", problem: "is before 1900")
            }
        }
        try problems.throwIfAny()
    }
}

extension String {
    /// The text in Unicode's composed form (NFC): "Zoë" typed as `e` and a
    /// combining diaeresis is stored, folded and matched as the one `ë`.
    var canonical: String {
        utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping
    }
}
