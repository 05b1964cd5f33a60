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
}
