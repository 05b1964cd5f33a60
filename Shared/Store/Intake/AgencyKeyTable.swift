import Foundation
import Postgres

/// Queries of `agency_key`: the keys intake checks each agency's signatures
/// with, several at once while an agency changes keys.
public enum AgencyKeyTable {
    public struct Row: Sendable, Hashable {
        public var agencyID: String
        public var keyID: String
        /// `ed25519` or `hmac-sha256`.
        public var algorithm: String
        /// The Ed25519 public key; an HMAC key's secret until it is retired.
        public var keyBytes: [UInt8]?
        public var validFrom: Date
        public var retiredFrom: Date?
    }

    /// The keys of the active agencies among `agencies`, retired ones too
    /// (so a message signed with one is refused by name), by agency.
    public static func ofActiveAgencies(_ agencies: Set<String>, on connection: PostgresConnection) throws -> [String: [Row]] {
        let rows = try connection.query(
            """
            SELECT agency_key.agency_id, key_id, algorithm, key_bytes, valid_from, retired_from
            FROM agency_key JOIN agency USING (agency_id)
            WHERE agency_key.agency_id = ANY(\(Array(agencies))::text[]) AND agency.retired_at IS NULL
            """,
            preparedAs: "agency_keys_of_active_agencies")
        return Dictionary(grouping: try decoded(rows), by: \.agencyID)
    }

    /// An agency's keys, oldest first.
    public static func of(agency: String, on connection: PostgresConnection) throws -> [Row] {
        try decoded(
            connection.query(
                """
                SELECT agency_id, key_id, algorithm, key_bytes, valid_from, retired_from
                FROM agency_key WHERE agency_id = \(agency) ORDER BY valid_from, key_id
                """))
    }

    /// Adds an Ed25519 public key to an active agency, valid from now.
    /// - Returns: `false` when there is no such active agency.
    public static func add(agency: String, keyID: String, publicKey: [UInt8], on connection: PostgresConnection) throws -> Bool {
        try connection.query(
            """
            INSERT INTO agency_key (agency_id, key_id, algorithm, key_bytes)
            SELECT agency_id, \(keyID), 'ed25519', \(Data(publicKey)) FROM agency WHERE agency_id = \(agency) AND retired_at IS NULL
            RETURNING key_id
            """
        ).count == 1
    }

    /// What retiring a key found.
    public enum Retirement: Sendable, Equatable {
        /// Retired from that time; `inUse` is how many of the agency's keys are still valid then.
        case retired(from: Date, inUse: Int)
        /// Retired already, from that time, which is no later than the one asked for.
        case alreadyRetired(from: Date)
        case unknown
    }

    /// Retires a key from `from` on, or sooner than it was to be retired. An
    /// HMAC key's secret is erased as it is retired, so an HMAC key is
    /// retired at once, whatever `from` says.
    public static func retire(agency: String, keyID: String, from: Date, on connection: PostgresConnection) throws -> Retirement {
        let rows = try connection.query(
            """
            WITH found AS (
                SELECT key_id, algorithm, retired_from,
                       CASE WHEN algorithm = 'hmac-sha256' THEN now() ELSE \(from)::timestamptz END AS retiring_at
                FROM agency_key WHERE agency_id = \(agency) AND key_id = \(keyID) FOR UPDATE
            ), retired AS (
                UPDATE agency_key
                SET retired_from = found.retiring_at,
                    key_bytes = CASE WHEN found.algorithm = 'hmac-sha256' THEN NULL ELSE agency_key.key_bytes END
                FROM found
                WHERE agency_key.agency_id = \(agency) AND agency_key.key_id = found.key_id
                  AND (found.retired_from IS NULL OR found.retired_from > found.retiring_at)
                RETURNING agency_key.retired_from
            )
            SELECT found.retired_from, (SELECT retired_from FROM retired),
                   (SELECT count(*)::int FROM agency_key AS other
                    WHERE other.agency_id = \(agency) AND other.key_id <> \(keyID)
                      AND (other.retired_from IS NULL OR other.retired_from > found.retiring_at))
            FROM found
            """
        ).decode((Date?, Date?, Int).self)
        guard let row = rows.first else { return .unknown }
        if let retiredFrom = row.1 { return .retired(from: retiredFrom, inUse: row.2) }
        return row.0.map { .alreadyRetired(from: $0) } ?? .unknown
    }

    private static func decoded(_ rows: PostgresRows) throws -> [Row] {
        try rows.decode((String, String, String, Data?, Date, Date?).self).map {
            Row(agencyID: $0.0, keyID: $0.1, algorithm: $0.2, keyBytes: $0.3.map { [UInt8]($0) }, validFrom: $0.4, retiredFrom: $0.5)
        }
    }
}
