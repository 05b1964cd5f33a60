import Foundation
import Vocabulary

/// Intake accepted a referral and matched it to a family: the family's
/// people as the rules need them (a pseudonymous label and a date of birth),
/// never names or the address.
public struct ReferralAccepted: Contract, Hashable {
    public static let schema = "referral.accepted"
    public static let version = 1

    public var familyID: UUID
    public var agency: String
    public var referralID: String
    public var acceptedAt: Date
    /// Everyone intake knows in the family now, not only those this referral named.
    public var members: [FamilyMember]
    /// Whether this referral created the family (no earlier referral matched).
    public var isNewFamily: Bool
    public var reasons: [String]

    public init(
        familyID: UUID, agency: String, referralID: String, acceptedAt: Date, members: [FamilyMember], isNewFamily: Bool,
        reasons: [String]
    ) {
        self.familyID = familyID
        self.agency = agency
        self.referralID = referralID
        self.acceptedAt = acceptedAt
        self.members = members
        self.isNewFamily = isNewFamily
        self.reasons = reasons
    }

    public var partitionKey: String { familyID.uuidString.lowercased() }

    public func validate() throws(ContractError) {
        try Check.nonEmpty(members, "members")
    }
}
