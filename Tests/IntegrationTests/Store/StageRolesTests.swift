import Foundation
import IntegrationSupport
import Postgres
import Store
import Testing

/// Each stage works as its own role (migration 0023), on its own schema
/// (each stage's first migration): Postgres itself keeps intake's names from
/// screening and claims, and each stage's runtime rows from the others.
@Suite struct StageRolesTests {
    /// The deployment's schemas, as a test pool's sessions see them.
    static func schemas(of pool: PostgresPool) async throws -> DeploymentSchemas {
        try await pool.withConnection { try DeploymentSchemas.current(on: $0) }
    }

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
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let schemas = try await Self.schemas(of: pool)
            let intake = schemas.schema(of: .intake)
            for role in ["turnaround_screening", "turnaround_claims"] {
                for table in ["person", "family", "referral"] {
                    let refused = await Self.refusal(as: role, on: pool, "SELECT * FROM \(identifier: intake).\(identifier: table)")
                    #expect(refused?.sqlState == "42501", "\(role) reading \(table): \(String(describing: refused))")
                    // By name alone, intake's schema is not even searched.
                    let unseen = await Self.refusal(as: role, on: pool, "SELECT * FROM \(identifier: table)")
                    #expect(unseen?.sqlState == "42P01", "\(role) naming \(table): \(String(describing: unseen))")
                }
            }
            #expect(try await Self.asRole("turnaround_intake", on: pool) { try $0.query("SELECT count(*) FROM person").decode(Int.self) } == [0])
            #expect(
                try await Self.asRole("turnaround_screening", on: pool) { try $0.query("SELECT count(*) FROM screening_family").decode(Int.self) } == [0])
            let intakeReadingClaims = await Self.refusal(
                as: "turnaround_intake", on: pool, "SELECT * FROM \(identifier: schemas.schema(of: .claims)).result_claim")
            #expect(intakeReadingClaims?.sqlState == "42501")
            // No stage may change the schema: only `turnaround migrate`, as its owner.
            let created = await Self.refusal(as: "turnaround_claims", on: pool, "CREATE TABLE anything (id integer)")
            #expect(created?.sqlState == "42501")
        }
    }

    @Test func aStageSeesAndWritesOnlyItsOwnDeadLettersAndOutboxRows() async throws {
        try await TestEnvironment.withTestSchema(maxConnections: 1) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
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

    /// The tables each stage's role may use (besides the runtime's, which
    /// every stage shares by rows), and those of its schema the owner keeps
    /// to itself: a table a migration adds belongs to one of these, by name.
    static let runtime: Set = ["inbox_event", "outbox_event", "dead_letter", "consumer_backlog", "schema_migration", "ruleset"]
    static let tablesOfStage: [Stage: Set<String>] = [
        .intake: ["agency", "agency_key", "family", "person", "referral", "receipt", "review_item", "family_merge", "unmatched_evidence"],
        .screening: [
            "screening_family", "screening_evidence", "screening_pending", "screening_merged_family", "eligibility_decision", "rescreen",
        ],
        .claims: [
            "claims_family", "claims_evidence", "claims_merged_family", "result_claim", "claims_allocation", "claims_allocation_family",
            "claims_allocation_held",
        ],
    ]
    static let ownersAlone: [Stage: Set<String>] = [
        .claims: ["claim_transition", "claim_return", "claim_event", "audit_sample", "audit_sample_claim", "audit_verdict", "claims_allocation_change"]
    ]

    @Test func eachStageIsGrantedItsOwnTablesAloneAndEveryTableHasItsPlace() async throws {
        try await TestEnvironment.withTestSchema(maxConnections: 1) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let schemas = try await Self.schemas(of: pool)
            let (tables, grants) = try await pool.withConnection { connection -> ([(String, String)], [(String, String, String)]) in
                (
                    try connection.query(
                        "SELECT table_schema::text, table_name::text FROM information_schema.tables WHERE table_schema = ANY(\(schemas.searchPath))"
                    ).decode((String, String).self),
                    try connection.query(
                        """
                        SELECT grantee::text, table_schema::text, table_name::text FROM information_schema.role_table_grants
                         WHERE table_schema = ANY(\(schemas.searchPath))
                        UNION SELECT grantee::text, table_schema::text, table_name::text FROM information_schema.column_privileges
                         WHERE table_schema = ANY(\(schemas.searchPath))
                        """
                    ).decode((String, String, String).self)
                )
            }
            for stage in Stage.allCases {
                let own = schemas.schema(of: stage)
                let granted = Set(grants.filter { $0.0 == "turnaround_" + stage.rawValue }.map { $0.1 + "." + $0.2 })
                let expected = Set(Self.runtime.filter { $0 != "ruleset" || stage != .intake }.map { schemas.base + "." + $0 })
                    .union(Self.tablesOfStage[stage, default: []].union(["schema_migration"]).map { own + "." + $0 })
                #expect(granted == expected, "\(stage)")
                let inSchema = Set(tables.filter { $0.0 == own }.map(\.1))
                #expect(inSchema == Self.tablesOfStage[stage, default: []].union(Self.ownersAlone[stage, default: []]).union(["schema_migration"]), "\(stage)")
            }
            #expect(Set(tables.filter { $0.0 == schemas.base }.map(\.1)) == Self.runtime, "the base schema's tables")
            // Every migrate grants again, with no migration pending: a right lost (or a role created since) is restored.
            try await pool.withConnection { try $0.execute("REVOKE ALL ON screening_family FROM turnaround_screening") }
            #expect(await Self.refusal(as: "turnaround_screening", on: pool, "SELECT * FROM screening_family")?.sqlState == "42501")
            #expect(try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled().isEmpty)
            #expect(
                try await Self.asRole("turnaround_screening", on: pool) { try $0.query("SELECT count(*) FROM screening_family").decode(Int.self) } == [0])
            // The claims stage counts families against the allocation; it may never set it.
            let raised = await Self.refusal(as: "turnaround_claims", on: pool, "UPDATE claims_allocation SET families = 1000")
            #expect(raised?.sqlState == "42501")
        }
    }

    /// The CLI's users work as roles with their commands' rights alone (the
    /// pipeline's tests run every command as its role): names stay with
    /// intake and the co-ordinators who review duplicates, and neither
    /// finance nor internal audit can make the other's moves of a claim.
    @Test func theCLIsUsersHaveTheirCommandsRightsAndNoOneElses() async throws {
        try await TestEnvironment.withTestSchema(maxConnections: 1) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let schemas = try await Self.schemas(of: pool)
            let intake = schemas.schema(of: .intake)
            for role in ["turnaround_finance", "turnaround_auditor"] {
                let names = await Self.refusal(as: role, on: pool, "SELECT given_name FROM \(identifier: intake).person")
                #expect(names?.sqlState == "42501", "\(role): \(String(describing: names))")
            }
            // Internal audit weighs each agency's share of referrals, never what they say.
            #expect(
                try await Self.asRole("turnaround_auditor", on: pool) { try $0.query("SELECT count(agency_id) FROM referral").decode(Int.self) } == [0])
            #expect(await Self.refusal(as: "turnaround_auditor", on: pool, "SELECT reasons FROM referral")?.sqlState == "42501")
            #expect(try await Self.asRole("turnaround_coordinator", on: pool) { try $0.query("SELECT count(given_name) FROM person").decode(Int.self) } == [0])

            let claims: [UUID] = try await pool.withConnection { connection in
                try connection.query(
                    """
                    INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence, financial_year,
                                              claim_window, explanation, claimed_by)
                    SELECT gen_random_uuid(), 'phase1-2012', '1', 'hash', 'attachment', 70000, '2014/15', '2014/15 Q2', '{}', 'turnaround-claims'
                    FROM generate_series(1, 2)
                    RETURNING claim_id
                    """
                ).decode(UUID.self)
            }
            func move(_ claim: UUID, from: String, to: String, as role: String) async -> PostgresError? {
                await Self.refusal(
                    as: role, on: pool,
                    "INSERT INTO claim_event (claim_id, from_status, to_status, made_by) VALUES (\(claim), \(from), \(to), 'someone')")
            }
            // Finance may not pass a claim awaiting audit; audit may.
            #expect(await move(claims[0], from: "awaiting-audit", to: "validated", as: "turnaround_finance")?.sqlState == "42501")
            try await Self.asRole("turnaround_auditor", on: pool) {
                try $0.execute(
                    "INSERT INTO claim_event (claim_id, from_status, to_status, made_by) VALUES (\(claims[0]), 'awaiting-audit', 'validated', 'auditor-1')")
            }
            // Audit may not mark a claim paid or refused by the department.
            #expect(await move(claims[0], from: "validated", to: "submitted", as: "turnaround_auditor")?.sqlState == "42501")
            #expect(
                try await Self.asRole("turnaround_finance", on: pool) {
                    try $0.query("SELECT status FROM result_claim WHERE claim_id = \(claims[0])").decode(String.self)
                } == ["validated"])
            // Audit and co-ordinators cannot set the allocation; finance can.
            for role in ["turnaround_auditor", "turnaround_coordinator"] {
                let set = await Self.refusal(as: role, on: pool, "INSERT INTO claims_allocation (financial_year, families) VALUES ('2014/15', 10)")
                #expect(set?.sqlState == "42501", "\(role): \(String(describing: set))")
            }
            // Each sends on the paths of the stages whose work it does, only.
            let posing = await Self.refusal(
                as: "turnaround_coordinator", on: pool,
                "INSERT INTO outbox_event (topic, payload, stage) VALUES ('programme.claims.made', '\\x00', 'programme.claims')")
            #expect(posing?.sqlState == "42501", "\(String(describing: posing))")
            try await Self.asRole("turnaround_coordinator", on: pool) {
                try $0.execute("INSERT INTO outbox_event (topic, payload, stage) VALUES ('programme.families.merged', '\\x00', 'programme.intake')")
            }
        }
    }
}
