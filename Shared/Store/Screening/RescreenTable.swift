import Foundation
import Postgres

/// Queries of `rescreen`: co-ordinators' rescreens and how far screening has got with each.
public enum RescreenTable {
    public struct Request: Sendable, Equatable {
        public var requestID: UUID
        public var requestedBy: String
        public var rulesetID: String
        public var rulesetVersion: String
        public var rulesetHash: String
        /// The day to decide as of (ISO 8601); screening's today when nil.
        public var asOf: String?
        public var families: Int

        public init(
            requestID: UUID, requestedBy: String, rulesetID: String, rulesetVersion: String, rulesetHash: String, asOf: String?, families: Int
        ) {
            self.requestID = requestID
            self.requestedBy = requestedBy
            self.rulesetID = rulesetID
            self.rulesetVersion = rulesetVersion
            self.rulesetHash = rulesetHash
            self.asOf = asOf
            self.families = families
        }
    }

    /// How far a rescreen has got.
    public struct Progress: Sendable, Equatable {
        public var families: Int
        public var decided: Int
        public var changed: Int
        public var setAside: Int
        public var setAsideReason: String?

        public init(families: Int, decided: Int, changed: Int, setAside: Int, setAsideReason: String?) {
            self.families = families
            self.decided = decided
            self.changed = changed
            self.setAside = setAside
            self.setAsideReason = setAsideReason
        }

        /// Every family decided or set aside.
        public var isFinished: Bool { decided + setAside >= families }
    }

    /// What one batch did for one rescreen.
    public struct Step: Sendable, Equatable {
        public var requestID: UUID
        public var decided: Int
        public var changed: Int
        public var setAside: Int
        public var setAsideReason: String?

        public init(requestID: UUID, decided: Int = 0, changed: Int = 0, setAside: Int = 0, setAsideReason: String? = nil) {
            self.requestID = requestID
            self.decided = decided
            self.changed = changed
            self.setAside = setAside
            self.setAsideReason = setAsideReason
        }
    }

    public static func insert(_ request: Request, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO rescreen (request_id, requested_by, ruleset_id, ruleset_version, ruleset_hash, as_of, families)
            VALUES (\(request.requestID), \(request.requestedBy), \(request.rulesetID), \(request.rulesetVersion), \(request.rulesetHash),
                    \(request.asOf)::date, \(request.families))
            """)
    }

    /// Adds a batch's steps to their rescreens, in one statement; a rescreen
    /// every family of which is now decided or set aside is finished.
    public static func advance(_ steps: [Step], on connection: PostgresConnection) throws {
        guard !steps.isEmpty else { return }
        try connection.execute(
            """
            UPDATE rescreen
            SET decided = rescreen.decided + step.decided, changed = rescreen.changed + step.changed,
                set_aside = rescreen.set_aside + step.set_aside, set_aside_reason = coalesce(step.reason, rescreen.set_aside_reason),
                finished_at = CASE WHEN rescreen.decided + step.decided + rescreen.set_aside + step.set_aside >= rescreen.families THEN now() END
            FROM unnest(\(steps.map(\.requestID))::uuid[], \(steps.map(\.decided))::int[], \(steps.map(\.changed))::int[],
                        \(steps.map(\.setAside))::int[], \(steps.map(\.setAsideReason))::text[])
                 AS step (request_id, decided, changed, set_aside, reason)
            WHERE rescreen.request_id = step.request_id
            """, preparedAs: "rescreen_advance")
    }

    public static func progress(of requestID: UUID, on connection: PostgresConnection) throws -> Progress? {
        try connection.query(
            "SELECT families, decided, changed, set_aside, set_aside_reason FROM rescreen WHERE request_id = \(requestID)"
        ).decode((Int, Int, Int, Int, String?).self).first.map {
            Progress(families: $0.0, decided: $0.1, changed: $0.2, setAside: $0.3, setAsideReason: $0.4)
        }
    }
}
