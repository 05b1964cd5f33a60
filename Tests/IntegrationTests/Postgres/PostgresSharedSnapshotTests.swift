import Foundation
import IntegrationSupport
import Postgres
import Testing

/// Lanes reading side by side see the database as one transaction would.
@Suite struct PostgresSharedSnapshotTests {
    @Test func everyLaneReadsTheSnapshotTheFirstExportedNotARowCommittedSince() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await pool.withConnection { connection in
                try connection.execute("CREATE TABLE referral (id integer PRIMARY KEY)")
                try connection.execute("INSERT INTO referral VALUES (1)")
            }
            let configuration = pool.configuration
            let counts = try await pool.withSharedSnapshot(lanes: 3) { lane, connection in
                // Each importing lane commits a row from a session of its own before its first read:
                // a snapshot of its own would show it.
                if lane > 0 { try PostgresConnection(configuration: configuration).execute("INSERT INTO referral VALUES (\(lane + 1))") }
                return try connection.query("SELECT count(*) FROM referral").decode(Int.self)[0]
            }
            #expect(counts == [1, 1, 1])
            #expect(try await pool.withConnection { try $0.query("SELECT count(*) FROM referral").decode(Int.self)[0] } == 3)
        }
    }

    @Test func aLaneThatFailsFailsTheReadAndLeavesNoLaneWaiting() async throws {
        struct Broken: Error {}
        try await TestEnvironment.withTestSchema { pool in
            await #expect(throws: Broken.self) {
                try await pool.withSharedSnapshot(lanes: 2) { lane, _ in
                    if lane == 0 { throw Broken() }
                }
            }
        }
    }
}
