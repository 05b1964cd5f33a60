import Foundation
import Postgres

/// Queries of `family` and `person`: intake's record of who lives together.
/// Personal data: only intake calls these.
public enum HouseholdTables {
    /// A person intake knows, as matching sees them.
    public struct KnownPerson: Sendable, Hashable {
        public var identityKey: String
        public var familyID: UUID
        public var memberLabel: String
    }

    public struct NewPerson: Sendable, Hashable {
        public var memberLabel: String
        public var givenName: String
        public var familyName: String
        /// `YYYY-MM-DD`.
        public var dateOfBirth: String
        public var identityKey: String

        public init(memberLabel: String, givenName: String, familyName: String, dateOfBirth: String, identityKey: String) {
            self.memberLabel = memberLabel
            self.givenName = givenName
            self.familyName = familyName
            self.dateOfBirth = dateOfBirth
            self.identityKey = identityKey
        }
    }

    /// The people among `identityKeys` that intake already knows.
    public static func people(withIdentityKeys identityKeys: [String], on connection: PostgresConnection) throws -> [KnownPerson] {
        try connection.query(
            """
            SELECT identity_key, family_id, member_label FROM person WHERE identity_key = ANY(\(identityKeys)::text[])
            """, preparedAs: "person_by_identity"
        ).decode((String, UUID, String).self).map { KnownPerson(identityKey: $0.0, familyID: $0.1, memberLabel: $0.2) }
    }

    /// The family most recently registered at an address, if any.
    public static func family(atAddress addressKey: String, on connection: PostgresConnection) throws -> UUID? {
        try connection.query(
            "SELECT family_id FROM family WHERE address_key = \(addressKey) ORDER BY created_at DESC LIMIT 1",
            preparedAs: "family_at_address"
        ).decode(UUID.self).first
    }

    /// Every family registered at these addresses.
    public static func families(atAddresses addressKeys: [String], on connection: PostgresConnection) throws -> [UUID] {
        try connection.query(
            "SELECT family_id FROM family WHERE address_key = ANY(\(addressKeys)::text[])", preparedAs: "families_at_addresses"
        ).decode(UUID.self)
    }

    public static func createFamily(
        _ familyID: UUID, addressLines: [String], postcode: String, addressKey: String, on connection: PostgresConnection
    ) throws {
        try connection.execute(
            """
            INSERT INTO family (family_id, address_lines, postcode, address_key)
            VALUES (\(familyID), \(addressLines)::text[], \(postcode), \(addressKey))
            """, preparedAs: "family_create")
    }

    /// Adds people to a family. Hold the family's lock
    /// (``AdvisoryLocks/intakeFamilies``), so two referrals adding people to
    /// one family at once get distinct labels.
    public static func add(_ people: [NewPerson], to familyID: UUID, on connection: PostgresConnection) throws {
        guard !people.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO person (family_id, member_label, given_name, family_name, date_of_birth, identity_key)
            SELECT \(familyID), * FROM unnest(\(people.map(\.memberLabel))::text[], \(people.map(\.givenName))::text[],
                                              \(people.map(\.familyName))::text[], \(people.map(\.dateOfBirth))::date[],
                                              \(people.map(\.identityKey))::text[])
            """, preparedAs: "person_add")
    }

    /// A family's members: label and date of birth (`YYYY-MM-DD`), in label order.
    public static func members(of familyID: UUID, on connection: PostgresConnection) throws -> [(label: String, dateOfBirth: String)] {
        try connection.query(
            "SELECT member_label, date_of_birth::text FROM person WHERE family_id = \(familyID) ORDER BY member_label",
            preparedAs: "family_members"
        ).decode((String, String).self).map { (label: $0.0, dateOfBirth: $0.1) }
    }
}
