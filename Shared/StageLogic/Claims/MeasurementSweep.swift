import Foundation
import Postgres
import Rules
import Store
import Vocabulary

/// Measures eligible, attached families not measured as of a day, so a
/// result that time earns (13 weeks in work, three terms of attendance, six
/// months without offending) is claimed though no event about the family
/// arrives. The claims stage sweeps on its own; `turnaround claims measure`
/// sweeps on demand. Each claim is made once whoever sweeps: the database
/// allows one per family, payment and ruleset.
public struct MeasurementSweep: Sendable {
    public let claimer: Claimer
    public let day: CalendarDate
    /// Families measured in one transaction.
    public static let familiesPerTurn = 500

    public init(ruleset: Ruleset, asOf day: CalendarDate, claimant: String) {
        claimer = Claimer(ruleset: ruleset, asOf: day, claimant: claimant)
        self.day = day
    }

    /// What one turn did.
    public struct Turn: Sendable, Equatable {
        /// Families measured.
        public var measured: Int
        /// Claims made.
        public var claims: Int
        /// Whether more families are due now.
        public var moreDue: Bool
    }

    /// What a turn does when another transaction is sweeping.
    public enum WhenAnotherSweeps: Sendable {
        /// Sweeps nothing this turn: a replica's sweep, which looks again later.
        case skip
        /// Waits for it to end, then sweeps what it left: a sweep on demand.
        case wait
    }

    /// Measures up to ``familiesPerTurn`` families due. One sweep runs at a
    /// time however many replicas run. A family a batch holds is left to a
    /// later turn, so a turn never waits for a family's lock.
    public func turn(on connection: PostgresConnection, whenAnotherSweeps: WhenAnotherSweeps) throws -> Turn {
        switch whenAnotherSweeps {
        case .skip:
            guard try !AdvisoryLocks.claimsSweep.lockFree([Self.sweepKey], on: connection).isEmpty else {
                return Turn(measured: 0, claims: 0, moreDue: false)
            }
        case .wait:
            try AdvisoryLocks.claimsSweep.lock([Self.sweepKey], on: connection)
        }
        let due = try ClaimsFamilyTable.dueForMeasurement(asOf: day.description, limit: Self.familiesPerTurn, on: connection)
        guard !due.isEmpty else { return Turn(measured: 0, claims: 0, moreDue: false) }
        let free = try AdvisoryLocks.claimsFamilies.lockFree(due.map(\.uuidString), on: connection).compactMap(UUID.init(uuidString:))
        let claims = try claimer.claim(try claimer.review(free, on: connection), on: connection).claims
        try ClaimsFamilyTable.markMeasured(free, asOf: day.description, on: connection)
        return Turn(measured: free.count, claims: claims, moreDue: due.count == Self.familiesPerTurn && !free.isEmpty)
    }

    private static let sweepKey = "measurement"
}
