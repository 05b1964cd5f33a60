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

        public init(identityKey: String, familyID: UUID, memberLabel: String) {
            self.identityKey = identityKey
            self.familyID = familyID
            self.memberLabel = memberLabel
        }
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

    /// The family most recently registered at each of these addresses (a
    /// family merged into another is not one any more).
    public static func latestFamilies(atAddresses addressKeys: [String], on connection: PostgresConnection) throws -> [String: UUID] {
        guard !addressKeys.isEmpty else { return [:] }
        let rows = try connection.query(
            """
            SELECT DISTINCT ON (address_key) address_key, family_id FROM family
            WHERE address_key = ANY(\(addressKeys)::text[])
              AND NOT EXISTS (SELECT 1 FROM family_merge WHERE family_merge.merged_family_id = family.family_id)
            ORDER BY address_key, created_at DESC, family_id
            """, preparedAs: "families_latest_at_addresses"
        ).decode((String, UUID).self)
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }

    /// Every family registered at these addresses.
    public static func families(atAddresses addressKeys: [String], on connection: PostgresConnection) throws -> [UUID] {
        try connection.query(
            "SELECT family_id FROM family WHERE address_key = ANY(\(addressKeys)::text[])", preparedAs: "families_at_addresses"
        ).decode(UUID.self)
    }

    /// A family intake registers.
    public struct NewFamily: Sendable, Hashable {
        public var familyID: UUID
        public var addressLines: [String]
        public var postcode: String
        public var addressKey: String

        public init(familyID: UUID, addressLines: [String], postcode: String, addressKey: String) {
            self.familyID = familyID
            self.addressLines = addressLines
            self.postcode = postcode
            self.addressKey = addressKey
        }
    }

    /// Registers families, in one statement.
    public static func create(_ families: [NewFamily], on connection: PostgresConnection) throws {
        guard !families.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO family (family_id, address_lines, postcode, address_key)
            SELECT family_id, ARRAY(SELECT line FROM jsonb_array_elements_text(address_lines::jsonb) WITH ORDINALITY AS line (line, n) ORDER BY n), postcode, address_key
            FROM unnest(\(families.map(\.familyID))::uuid[], \(families.map { PostgresJSON($0.addressLines) })::text[],
                        \(families.map(\.postcode))::text[], \(families.map(\.addressKey))::text[])
                 AS family (family_id, address_lines, postcode, address_key)
            """, preparedAs: "families_create")
    }

    /// Adds people to families, in one statement. Hold the families' locks
    /// (``AdvisoryLocks/intakeFamilies``), so two batches adding people to
    /// one family at once get distinct labels.
    public static func add(_ people: [(familyID: UUID, person: NewPerson)], on connection: PostgresConnection) throws {
        guard !people.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO person (family_id, member_label, given_name, family_name, date_of_birth, identity_key)
            SELECT * FROM unnest(\(people.map(\.familyID))::uuid[], \(people.map(\.person.memberLabel))::text[],
                                 \(people.map(\.person.givenName))::text[], \(people.map(\.person.familyName))::text[],
                                 \(people.map(\.person.dateOfBirth))::date[], \(people.map(\.person.identityKey))::text[])
            """, preparedAs: "people_add")
    }

    /// A member of a family, as intake sends it on: label and date of birth.
    public struct Member: Sendable, Hashable {
        public var label: String
        /// `YYYY-MM-DD`.
        public var dateOfBirth: String

        public init(label: String, dateOfBirth: String) {
            self.label = label
            self.dateOfBirth = dateOfBirth
        }
    }

    /// The members of these families.
    public static func members(of familyIDs: [UUID], on connection: PostgresConnection) throws -> [UUID: [Member]] {
        guard !familyIDs.isEmpty else { return [:] }
        let rows = try connection.query(
            "SELECT family_id, member_label, date_of_birth::text FROM person WHERE family_id = ANY(\(familyIDs)::uuid[])",
            preparedAs: "families_members"
        ).decode((UUID, String, String).self)
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map { Member(label: $0.1, dateOfBirth: $0.2) } }
    }

    /// Someone intake knows, as near matching compares them: names as stored
    /// (for folding), date of birth, and their family's address key.
    public struct Candidate: Sendable, Hashable {
        public var identityKey: String
        public var familyID: UUID
        public var memberLabel: String
        public var givenName: String
        public var familyName: String
        /// `YYYY-MM-DD`.
        public var dateOfBirth: String
        public var addressKey: String

        public init(
            identityKey: String, familyID: UUID, memberLabel: String, givenName: String, familyName: String, dateOfBirth: String, addressKey: String
        ) {
            self.identityKey = identityKey
            self.familyID = familyID
            self.memberLabel = memberLabel
            self.givenName = givenName
            self.familyName = familyName
            self.dateOfBirth = dateOfBirth
            self.addressKey = addressKey
        }
    }

    /// Everyone born on one of these days (`YYYY-MM-DD`).
    public static func people(bornOn days: [String], on connection: PostgresConnection) throws -> [Candidate] {
        guard !days.isEmpty else { return [] }
        return try connection.query(
            """
            SELECT person.identity_key, person.family_id, person.member_label, person.given_name, person.family_name,
                   person.date_of_birth::text, family.address_key
            FROM person JOIN family USING (family_id)
            WHERE person.date_of_birth = ANY(\(days)::date[])
            """, preparedAs: "people_born_on"
        ).decode((String, UUID, String, String, String, String, String).self).map {
            Candidate(identityKey: $0.0, familyID: $0.1, memberLabel: $0.2, givenName: $0.3, familyName: $0.4, dateOfBirth: $0.5, addressKey: $0.6)
        }
    }

    /// The identity keys of these families' people and the families' address
    /// keys: what a merge locks so no batch adds to the families meanwhile.
    public static func matchingKeys(of familyIDs: [UUID], on connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT identity_key FROM person WHERE family_id = ANY(\(familyIDs)::uuid[])
            UNION ALL SELECT address_key FROM family WHERE family_id = ANY(\(familyIDs)::uuid[])
            """, preparedAs: "families_matching_keys"
        ).decode(String.self)
    }

    /// Which of these families intake registered.
    public static func existing(_ familyIDs: [UUID], on connection: PostgresConnection) throws -> Set<UUID> {
        Set(try connection.query("SELECT family_id FROM family WHERE family_id = ANY(\(familyIDs)::uuid[])", preparedAs: "families_existing").decode(UUID.self))
    }

    /// Moves a merged family's people to the family kept under their new
    /// labels, in one statement. Hold both families' locks.
    public static func move(
        from merged: UUID, to kept: UUID, relabelled: [(from: String, to: String)], on connection: PostgresConnection
    ) throws {
        guard !relabelled.isEmpty else { return }
        try connection.execute(
            """
            UPDATE person SET family_id = \(kept), member_label = relabelled.to_label
            FROM unnest(\(relabelled.map(\.from))::text[], \(relabelled.map(\.to))::text[]) AS relabelled (from_label, to_label)
            WHERE person.family_id = \(merged) AND person.member_label = relabelled.from_label
            """, preparedAs: "people_move")
    }
}
