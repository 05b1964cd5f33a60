import Foundation
import Postgres
import Store
import Vocabulary

/// The authority's allocation of a financial year: results are claimed for
/// at most that many families in the year of claiming, counted as their
/// results fall due (of those due in one transaction, the families attached
/// first first); a family counted once stays counted, and the others wait,
/// held back, for a later year or a larger allocation. Attachment fees are
/// not counted. The database refuses to count a family over the allocation
/// (migration 0022); this takes the year's turn first so that never happens.
struct ClaimAllocation {
    /// The financial year the claims are made in (`2023/24`).
    let year: String
    /// The day they are made on.
    let day: CalendarDate

    /// The claims of `due` the allocation lets through, and the families
    /// whose results it held back; not `recording`, what it would let
    /// through and hold back now, changing nothing and locking nothing.
    func admit(_ due: [ClaimRow], recording: Bool = true, on connection: PostgresConnection) throws -> (claims: [ClaimRow], held: [UUID]) {
        let results = due.filter { $0.payment != ClaimExplanation.attachmentPayment }
        let firstAttached = Dictionary(results.map { ($0.familyID, $0.explanation.attachedOn) }, uniquingKeysWith: min)
        guard !firstAttached.isEmpty else { return (due, []) }
        var admitted = try AllocationTable.counted(year: year, among: Array(firstAttached.keys), on: connection)
        let waiting = firstAttached.filter { !admitted.contains($0.key) }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        var held: [UUID] = []
        if !waiting.isEmpty {
            let room = max(0, try AllocationTable.room(year: year, locking: recording, on: connection) ?? 0)
            let counted = Array(waiting.prefix(room))
            held = Array(waiting.dropFirst(room))
            if recording {
                try AllocationTable.count(year: year, families: counted, on: connection)
                try AllocationTable.hold(year: year, families: held, on: day.description, on: connection)
            }
            admitted.formUnion(counted)
        }
        return (due.filter { $0.payment == ClaimExplanation.attachmentPayment || admitted.contains($0.familyID) }, held)
    }
}
