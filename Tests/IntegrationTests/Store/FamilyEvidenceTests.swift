import Foundation
import IntegrationSupport
import Postgres
import StageLogic
import Store
import Testing
import Vocabulary

/// A stage's copy of the evidence, read back as the rules take it.
@Suite struct FamilyEvidenceTests {
    @Test func eachFamilysRecordsComeInTheOrderPostgresSortsTheirIDsIn() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let (one, other) = (UUID(), UUID())
            let fact = EvidenceFact.offence(date: CalendarDate(iso: "2013-03-10")!, proven: true)
            // Swift's own order of strings differs from their bytes' for some ("e" and a combining accent against "é").
            let ids = ["b", "police/10", "é", "e\u{301}", "Z", "police/9", "a"]
            let (loaded, sortedByPostgres) = try await pool.withTransaction { connection in
                _ = try StageEvidenceTable.screening.upsert(
                    ids.enumerated().map { index, id in
                        .init(evidenceID: id, familyID: index % 2 == 0 ? one : other, personID: "P1", fact: fact, recordedAt: Date())
                    }, on: connection)
                return (
                    try FamilyEvidence.load(of: [one, other], from: .screening, on: connection),
                    try connection.query("SELECT family_id, evidence_id FROM screening_evidence ORDER BY evidence_id").decode((UUID, String).self)
                )
            }
            #expect(loaded[one]?.records.map(\.id) == sortedByPostgres.filter { $0.0 == one }.map(\.1))
            #expect(loaded[other]?.records.map(\.id) == sortedByPostgres.filter { $0.0 == other }.map(\.1))
            #expect(loaded[one]?.records.count == 4 && loaded[other]?.records.count == 3)
        }
    }

    /// A slice of every family, read as a range of ids: the families screening
    /// knows from the first id through the last (Postgres's order of ids,
    /// both ends in), each with its own evidence; not those outside, nor
    /// evidence of a family whose referral has not come.
    @Test func aRangeOfFamiliesIsTheKnownFamiliesFromItsFirstIDThroughItsLastWithTheirEvidence() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let fact = EvidenceFact.offence(date: CalendarDate(iso: "2013-03-10")!, proven: true)
            let (held, expected) = try await pool.withTransaction { connection in
                let ids = (0..<9).map { _ in UUID() }
                let ordered = try connection.query("SELECT id FROM unnest(\(ids)::uuid[]) AS id ORDER BY id").decode(UUID.self)
                // The middle one has evidence and no referral yet.
                let known = ordered.filter { $0 != ordered[4] }
                try ScreeningFamilyTable.upsert(
                    known.map { ($0, [FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1999-01-01")!)]) }, on: connection)
                _ = try StageEvidenceTable.screening.upsert(
                    ordered.map {
                        .init(evidenceID: "police/\($0.uuidString)", familyID: $0, personID: "P1", fact: fact, recordedAt: Date())
                    }, on: connection)
                return (try FamilyEvidence.held(from: ordered[2], through: ordered[6], on: connection), [ordered[2], ordered[3], ordered[5], ordered[6]])
            }
            #expect(held.map(\.familyID) == expected)
            for family in held {
                #expect(family.evidence.records.map(\.id) == ["police/\(family.familyID.uuidString)"])
            }
        }
    }
}
