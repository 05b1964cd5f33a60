import Foundation
import IntegrationSupport
import Postgres
import Store
import Testing

/// Each stage works as its own role (migration 0023): Postgres itself keeps
/// intake's names from screening and claims, and each stage's runtime rows
/// from the others.
@Suite struct StageRolesTests {
    static let stages = ["intake", "screening", "claims"]

    /// Runs `body` on a connection working as `role`, in a migrated test schema.
    @discardableResult
    static func asRole<Value: Sendable>(
        _ role: String, on pool: PostgresPool, _ body: @escaping @Sendable (PostgresConnection) throws -> Value
    ) async throws -> Value {
        try await pool.withConnection { connection in
            try connection.execute("SET ROLE \(identifier: role)")
            let outcome = Result { try body(connection) }
            try connection.execute("RESET ROLE")
            return try outcome.get()
        }
    }

    static func refusal(as role: String, on pool: PostgresPool, _ statement: PostgresQuery) async -> PostgresError? {
        await #expect(throws: PostgresError.self) {
            try await asRole(role, on: pool) { try $0.execute(statement) }
        }
    }

    @Test func screeningAndClaimsCannotReadIntakesPeopleFamiliesOrReferralsAtAll() async throws {
        try await TestEnvironment.withTestSchema(maxConnections: 1) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).apply(Migration.bundled())
            for role in ["turnaround_screening", "turnaround_claims"] {
                for table in ["person", "family", "referral"] {
                    let refused = await Self.refusal(as: role, on: pool, "SELECT * FROM \(identifier: table)")
                    #expect(refused?.sqlState == "42501", "\(role) reading \(table): \(String(describing: refused))")
                }
            }
            #expect(try await Self.asRole("turnaround_intake", on: pool) { try $0.query("SELECT count(*) FROM person").decode(Int.self) } == [0])
            #expect(
                try await Self.asRole("turnaround_screening", on: pool) { try $0.query("SELECT count(*) FROM screening_family").decode(Int.self) } == [0])
            let intakeReadingClaims = await Self.refusal(as: "turnaround_intake", on: pool, "SELECT * FROM result_claim")
            #expect(intakeReadingClaims?.sqlState == "42501")
            // No stage may change the schema: only `turnaround migrate`, as its owner.
            let created = await Self.refusal(as: "turnaround_claims", on: pool, "CREATE TABLE anything (id integer)")
            #expect(created?.sqlState == "42501")
        }
    }

    @Test func aStageSeesAndWritesOnlyItsOwnDeadLettersAndOutboxRows() async throws {
        try await TestEnvironment.withTestSchema(maxConnections: 1) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).apply(Migration.bundled())
            try await pool.withConnection { connection in
                for (service, payload) in [("programme.intake", "Jane Doe, 1 High Street"), ("programme.screening", "an evidence message")] {
                    try connection.execute(
                        """
                        INSERT INTO dead_letter (service, source_topic, source_partition, source_offset, reason, payload, headers)
                        VALUES (\(service), 'topic', 0, 1, 'unreadable', convert_to(\(payload), 'UTF8'), '[]')
                        """)
                }
            }
            let seen = try await Self.asRole("turnaround_screening", on: pool) {
                try $0.query("SELECT convert_from(payload, 'UTF8') FROM dead_letter").decode(String.self)
            }
            #expect(seen == ["an evidence message"])
            let posing = await Self.refusal(
                as: "turnaround_screening", on: pool,
                "INSERT INTO outbox_event (topic, payload, stage) VALUES ('programme.receipts', '\\x00', 'programme.intake')")
            #expect(posing?.sqlState == "42501", "\(String(describing: posing))")
            try await Self.asRole("turnaround_screening", on: pool) {
                try $0.execute("INSERT INTO outbox_event (topic, payload, stage) VALUES ('programme.eligibility.decided', '\\x00', 'programme.screening')")
            }
            #expect(try await Self.asRole("turnaround_intake", on: pool) { try $0.query("SELECT count(*) FROM outbox_event").decode(Int.self) } == [0])
            // Backlogs are counts alone: every stage reads them (screening waits while intake's is large), and writes only its own.
            try await pool.withConnection { connection in
                try connection.execute(
                    "INSERT INTO consumer_backlog (consumer, member, messages, measured_at) VALUES ('programme.intake', 'intake-1', 5000, now())")
            }
            let (read, changed) = try await Self.asRole("turnaround_screening", on: pool) { connection in
                (
                    try connection.query("SELECT messages FROM consumer_backlog WHERE consumer = 'programme.intake'").decode(Int.self),
                    try connection.execute("UPDATE consumer_backlog SET messages = 0 WHERE consumer = 'programme.intake'")
                )
            }
            #expect(read == [5000])
            #expect(changed == 0)
        }
    }

    /// A migration that adds a table grants it to its stage: a table no stage may use is a mistake.
    @Test func everyTableIsGrantedToTheStageThatUsesIt() async throws {
        try await TestEnvironment.withTestSchema(maxConnections: 1) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).apply(Migration.bundled())
            let ungranted = try await pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT table_name::text FROM information_schema.tables AS t
                    WHERE table_schema = current_schema() AND NOT EXISTS (
                        SELECT 1 FROM information_schema.role_table_grants AS g
                        WHERE g.table_schema = t.table_schema AND g.table_name = t.table_name
                          AND g.grantee IN ('turnaround_intake', 'turnaround_screening', 'turnaround_claims'))
                    ORDER BY 1
                    """
                ).decode(String.self)
            }
            #expect(ungranted == [])
        }
    }
}
