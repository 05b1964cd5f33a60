import Foundation
import Postgres

/// Queries of `claim_return`: a window's validated claims, sent to the
/// department as one return. A window is submitted once.
public enum ClaimReturnTable {
    public struct Row: Sendable, Hashable {
        public var returnID: UUID
        public var claimWindow: String
        public var submittedBy: String
        public var submittedAt: Date
        public var claims: Int
        public var totalPence: Int
    }

    /// Records a window's return.
    public static func create(window: String, submittedBy: String, claims: Int, totalPence: Int, on connection: PostgresConnection) throws -> Row {
        try rows(
            connection.query(
                """
                INSERT INTO claim_return (claim_window, submitted_by, claims, total_pence)
                VALUES (\(window), \(submittedBy), \(claims), \(totalPence))
                RETURNING return_id, claim_window, submitted_by, submitted_at, claims, total_pence
                """))[0]
    }

    /// The return of a window, if it was submitted.
    public static func of(window: String, on connection: PostgresConnection) throws -> Row? {
        try rows(
            connection.query(
                """
                SELECT return_id, claim_window, submitted_by, submitted_at, claims, total_pence FROM claim_return
                WHERE claim_window = \(window)
                """)
        ).first
    }

    public static func find(_ returnID: UUID, on connection: PostgresConnection) throws -> Row? {
        try rows(
            connection.query(
                """
                SELECT return_id, claim_window, submitted_by, submitted_at, claims, total_pence FROM claim_return
                WHERE return_id = \(returnID)
                """)
        ).first
    }

    private static func rows(_ rows: PostgresRows) throws -> [Row] {
        try rows.decode((UUID, String, String, Date, Int, Int).self).map {
            Row(returnID: $0.0, claimWindow: $0.1, submittedBy: $0.2, submittedAt: $0.3, claims: $0.4, totalPence: $0.5)
        }
    }
}
