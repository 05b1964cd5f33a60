import Contracts
import Foundation
import Postgres
import Store

/// The keys intake checks agencies' signatures with, as ``AgencySignature``
/// reads them, loaded once for a batch.
public struct AgencyKeys: Sendable {
    /// The keys of each active agency; an agency missing is unknown or retired.
    public var byAgency: [String: [AgencySignature.VerifyingKey]]

    /// The keys of the active agencies among `agencies`.
    public static func load(for agencies: Set<String>, on connection: PostgresConnection) throws -> AgencyKeys {
        AgencyKeys(
            byAgency: try AgencyKeyTable.ofActiveAgencies(agencies, on: connection).mapValues { rows in
                rows.compactMap { row in
                    AgencySignature.VerifyingKey.Algorithm(rawValue: row.algorithm).map {
                        AgencySignature.VerifyingKey(id: row.keyID, algorithm: $0, bytes: row.keyBytes, retiredFrom: row.retiredFrom)
                    }
                }
            })
    }

    /// Why a message claiming to come from `agency` is refused, or `nil` if
    /// its signature is good under one of the agency's keys in use at `now`.
    /// A batch's signature is checked once, for the first of its messages.
    public func refusal(
        agency: String, signature: [UInt8]?, keyID: [UInt8]?, path: [UInt8]?, payload: [UInt8], at now: Date,
        checked: inout AgencySignature.CheckedBatches
    ) -> String? {
        guard let keys = byAgency[agency] else { return "agency: \(agency) is not a registered agency, or is retired" }
        do throws(ContractError) {
            try AgencySignature.verify(
                signature: signature, keyID: keyID, path: path, payload: payload, agency: agency, keys: keys, at: now, checked: &checked)
            return nil
        } catch {
            return error.description
        }
    }
}
