import Foundation
import Postgres

/// Queries of `agency`: who may send referrals and evidence, and their keys.
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

    public static func register(id: String, name: String, signingKey: [UInt8], on connection: PostgresConnection) throws {
        do {
            try connection.execute("INSERT INTO agency (agency_id, name, signing_key) VALUES (\(id), \(name), \(Data(signingKey)))")
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

    /// Retires an agency: its messages are refused from now on; its past
    /// referrals and evidence stay.
    public static func retire(id: String, on connection: PostgresConnection) throws -> Retirement {
        let rows = try connection.query(
            """
            WITH found AS (SELECT agency_id, retired_at FROM agency WHERE agency_id = \(id) FOR UPDATE),
                 retired AS (UPDATE agency SET retired_at = now() WHERE agency_id IN (SELECT agency_id FROM found WHERE retired_at IS NULL))
            SELECT retired_at FROM found
            """
        ).decode(Date?.self)
        guard let row = rows.first else { return .unknown }
        return row.map { .alreadyRetired(since: $0) } ?? .retired
    }

    /// The signing keys of the agencies among `ids` that are registered and not retired.
    public static func signingKeys(for ids: Set<String>, on connection: PostgresConnection) throws -> [String: [UInt8]] {
        let rows = try connection.query(
            "SELECT agency_id, signing_key FROM agency WHERE agency_id = ANY(\(Array(ids))::text[]) AND retired_at IS NULL",
            preparedAs: "agency_signing_keys")
        return Dictionary(uniqueKeysWithValues: try rows.decode((String, Data).self).map { ($0.0, [UInt8]($0.1)) })
    }

    public static func all(on connection: PostgresConnection) throws -> [Agency] {
        try connection.query("SELECT agency_id, name, registered_at, retired_at IS NOT NULL FROM agency ORDER BY agency_id")
            .decode((String, String, Date, Bool).self)
            .map { Agency(id: $0.0, name: $0.1, registeredAt: $0.2, isRetired: $0.3) }
    }
}
