import Foundation
import Postgres

/// Queries of `agency`: who may send referrals and evidence (their keys are
/// in ``AgencyKeyTable``).
public enum AgencyTable {
    public struct Agency: Sendable, Hashable {
        public var id: String
        public var name: String
        public var registeredAt: Date
        public var isRetired: Bool
    }

    /// The agency id is taken.
    public struct AlreadyRegistered: Error, CustomStringConvertible {
        public var agencyID: String
        public var description: String { "agency \(agencyID) is already registered" }
    }

    /// Registers an agency with its first key, an Ed25519 public key.
    public static func register(id: String, name: String, keyID: String, publicKey: [UInt8], on connection: PostgresConnection) throws {
        do {
            try connection.execute(
                """
                WITH registered AS (INSERT INTO agency (agency_id, name) VALUES (\(id), \(name)) RETURNING agency_id)
                INSERT INTO agency_key (agency_id, key_id, algorithm, key_bytes)
                SELECT agency_id, \(keyID), 'ed25519', \(Data(publicKey)) FROM registered
                """)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw AlreadyRegistered(agencyID: id)
        }
    }

    /// What retiring an agency found.
    public enum Retirement: Sendable, Equatable {
        case retired
        case alreadyRetired(since: Date)
        case unknown
    }

    /// Retires an agency: its messages are refused from now on, its keys
    /// are retired with it (an HMAC secret erased); its past referrals and
    /// evidence stay.
    public static func retire(id: String, on connection: PostgresConnection) throws -> Retirement {
        let rows = try connection.query(
            """
            WITH found AS (SELECT agency_id, retired_at FROM agency WHERE agency_id = \(id) FOR UPDATE),
                 retired AS (
                     UPDATE agency SET retired_at = now() WHERE agency_id IN (SELECT agency_id FROM found WHERE retired_at IS NULL)
                     RETURNING agency_id
                 ),
                 keys AS (
                     UPDATE agency_key
                     SET retired_from = now(), key_bytes = CASE WHEN algorithm = 'hmac-sha256' THEN NULL ELSE key_bytes END
                     WHERE agency_id IN (SELECT agency_id FROM retired) AND (retired_from IS NULL OR retired_from > now())
                 )
            SELECT retired_at FROM found
            """
        ).decode(Date?.self)
        guard let row = rows.first else { return .unknown }
        return row.map { .alreadyRetired(since: $0) } ?? .retired
    }

    public static func all(on connection: PostgresConnection) throws -> [Agency] {
        try connection.query("SELECT agency_id, name, registered_at, retired_at IS NOT NULL FROM agency ORDER BY agency_id")
            .decode((String, String, Date, Bool).self)
            .map { Agency(id: $0.0, name: $0.1, registeredAt: $0.2, isRetired: $0.3) }
    }
}
