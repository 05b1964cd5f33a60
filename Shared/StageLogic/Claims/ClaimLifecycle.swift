import Foundation
import Postgres
import Store

/// Where a claim stands in finance's process. The database keeps the same
/// edges (`claim_transition`) and refuses any other.
public enum ClaimStatus: String, CaseIterable, Sendable {
    case awaitingAudit = "awaiting-audit"
    case validated, submitted, paid, rejected

    /// The statuses a claim in this one may move to.
    public var next: Set<ClaimStatus> {
        switch self {
        case .awaitingAudit: [.validated, .rejected]
        case .validated: [.submitted]
        case .submitted: [.paid, .rejected]
        case .paid, .rejected: []
        }
    }

    /// As finance reads it: "awaiting audit".
    public var words: String { rawValue.replacingOccurrences(of: "-", with: " ") }
}

/// Finance's moves of claims: internal audit validates or rejects each claim
/// awaiting it; a window's validated claims go to the department as one
/// return; the department pays or refuses each. Each move runs in the
/// caller's transaction, names who made it, and is refused whole, changing
/// nothing, if any claim it names cannot make it. Claims are locked first,
/// so of two moves racing over one claim, the second finds it moved.
public enum ClaimLifecycle {
    /// A move refused, with every reason: nothing changed.
    public struct Refused: Error, CustomStringConvertible, Equatable {
        public var problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    /// What a move did.
    public struct Moved: Sendable, Equatable {
        public var claims: Int
        public var totalPence: Int

        public init(claims: Int, totalPence: Int) {
            self.claims = claims
            self.totalPence = totalPence
        }
    }

    /// Internal audit found these claims sound. Refused for a claim held up
    /// by a failed audit (its own, or its family's in its window).
    public static func validate(_ claimIDs: [UUID], by user: String, note: String? = nil, on connection: PostgresConnection) throws -> Moved {
        try move(claimIDs, to: .validated, from: .awaitingAudit, by: user, reason: note, heldUpByAudit: true, on: connection)
    }

    /// Internal audit found these claims unsound.
    public static func reject(_ claimIDs: [UUID], by user: String, reason: String, on connection: PostgresConnection) throws -> Moved {
        try move(claimIDs, to: .rejected, from: .awaitingAudit, by: user, reason: try required(reason), on: connection)
    }

    /// Sends every validated claim of a window to the department as one return.
    /// - Throws: ``Refused`` if the window was submitted before, has no validated
    ///   claim, has claims still awaiting audit (they would miss the return),
    ///   or has no audit sample or a sampled claim with no verdict.
    public static func submit(window: String, by user: String, on connection: PostgresConnection) throws -> ClaimReturnTable.Row {
        let validated = try ResultClaimTable.lock(window: window, status: ClaimStatus.validated.rawValue, on: connection)
        if let submitted = try ClaimReturnTable.of(window: window, on: connection) {
            throw Refused(problems: [
                "window \(window) was submitted already, as return \(submitted.returnID.lowercased) by \(submitted.submittedBy) "
                    + "on \(submitted.submittedAt.formatted(.iso8601.year().month().day()))"
            ])
        }
        let awaiting = try ResultClaimTable.lock(window: window, status: ClaimStatus.awaitingAudit.rawValue, on: connection)
        guard awaiting.isEmpty else {
            throw Refused(problems: [
                "window \(window) has \(awaiting.count) claim(s) awaiting audit: validate or reject them first "
                    + "(\(awaiting.prefix(5).map(\.claimID.lowercased).joined(separator: ", "))\(awaiting.count > 5 ? ", …" : ""))"
            ])
        }
        guard !validated.isEmpty else { throw Refused(problems: ["window \(window) has no validated claim to submit"]) }
        let auditProblems = try InternalAudit.submissionProblems(window: window, on: connection)
        guard auditProblems.isEmpty else { throw Refused(problems: auditProblems) }
        let total = validated.reduce(0) { $0 + $1.amountPence }
        let submitted = try ClaimReturnTable.create(
            window: window, submittedBy: try required(user, "--by"), claims: validated.count, totalPence: total, on: connection)
        try ClaimEventTable.append(
            validated.map {
                ClaimEventTable.New(
                    claimID: $0.claimID, from: $0.status, to: ClaimStatus.submitted.rawValue, madeBy: user, reason: nil,
                    returnID: submitted.returnID)
            }, on: connection)
        return submitted
    }

    /// The department paid these claims of a return (all it still holds, if none are named).
    public static func pay(returnID: UUID, claims: [UUID] = [], by user: String, on connection: PostgresConnection) throws -> Moved {
        try answer(returnID: returnID, claims: claims, with: .paid, by: user, reason: nil, on: connection)
    }

    /// The department refused these claims of a return (all it still holds, if none are named).
    public static func refuse(
        returnID: UUID, claims: [UUID] = [], by user: String, reason: String, on connection: PostgresConnection
    ) throws -> Moved {
        try answer(returnID: returnID, claims: claims, with: .rejected, by: user, reason: try required(reason), on: connection)
    }

    private static func answer(
        returnID: UUID, claims: [UUID], with status: ClaimStatus, by user: String, reason: String?, on connection: PostgresConnection
    ) throws -> Moved {
        guard try ClaimReturnTable.find(returnID, on: connection) != nil else {
            throw Refused(problems: ["no return \(returnID.lowercased)"])
        }
        let inReturn = try ResultClaimTable.lock(returnID: returnID, on: connection)
        if claims.isEmpty {
            let open = inReturn.filter { $0.status == ClaimStatus.submitted.rawValue }
            guard !open.isEmpty else {
                throw Refused(problems: ["return \(returnID.lowercased) has no claim awaiting the department's answer"])
            }
            return try record(open, to: status, by: user, reason: reason, returnID: returnID, on: connection)
        }
        let held = Set(inReturn.map(\.claimID))
        let strangers = Set(claims).subtracting(held).sorted()
        guard strangers.isEmpty else {
            throw Refused(problems: strangers.map { "claim \($0.lowercased) is not in return \(returnID.lowercased)" })
        }
        return try move(claims, to: status, from: .submitted, by: user, reason: reason, returnID: returnID, on: connection)
    }

    /// Moves named claims that must all stand in `from`.
    private static func move(
        _ claimIDs: [UUID], to status: ClaimStatus, from expected: ClaimStatus, by user: String, reason: String?, returnID: UUID? = nil,
        heldUpByAudit: Bool = false, on connection: PostgresConnection
    ) throws -> Moved {
        let requested = Array(Set(claimIDs)).sorted()
        guard !requested.isEmpty else { throw Refused(problems: ["name at least one claim"]) }
        let standing = try ResultClaimTable.lock(requested, on: connection)
        let found = Dictionary(uniqueKeysWithValues: standing.map { ($0.claimID, $0) })
        var problems: [String] = []
        for claimID in requested {
            guard let claim = found[claimID] else {
                problems.append("claim \(claimID.lowercased): no such claim")
                continue
            }
            if claim.status != expected.rawValue {
                problems.append(
                    "claim \(claimID.lowercased) is \(ClaimStatus(rawValue: claim.status)?.words ?? claim.status): "
                        + "only a claim \(expected.words) can be \(status == .rejected && expected == .submitted ? "refused" : status.words)")
            }
        }
        if heldUpByAudit { problems += try InternalAudit.heldUp(standing.map(\.claimID), on: connection) }
        guard problems.isEmpty else { throw Refused(problems: problems) }
        return try record(standing, to: status, by: user, reason: reason, returnID: returnID, on: connection)
    }

    private static func record(
        _ claims: [ResultClaimTable.Standing], to status: ClaimStatus, by user: String, reason: String?, returnID: UUID?,
        on connection: PostgresConnection
    ) throws -> Moved {
        let user = try required(user, "--by")
        try ClaimEventTable.append(
            claims.map {
                ClaimEventTable.New(claimID: $0.claimID, from: $0.status, to: status.rawValue, madeBy: user, reason: reason, returnID: returnID)
            }, on: connection)
        return Moved(claims: claims.count, totalPence: claims.reduce(0) { $0 + $1.amountPence })
    }

    private static func required(_ text: String, _ name: String = "--reason") throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Refused(problems: ["\(name) must not be empty"]) }
        return trimmed
    }
}

extension UUID {
    /// As Postgres and the CLI write it.
    var lowercased: String { uuidString.lowercased() }
}
