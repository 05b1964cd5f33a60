import Foundation
import IntegrationSupport
import Testing

/// Screening decides a family once its events have stopped coming, not once
/// for every batch that touches it: each decision recorded is sent on to
/// claims, so deciding from half a family costs every stage after it.
@Suite(.startsProcesses, .takesAProcessSlot) struct ScreeningSettleTests {
    @Test func aFamilyWhoseEvidenceArrivesOverSeveralBatchesIsDecidedOnceAfterItStops() async throws {
        let corpus = FamilyCorpus(count: 2)
        let evidence = corpus.evidence.split(separator: "\n").map { $0 + "\n" }
        try #require(evidence.count == 16)
        try await PipelineHarness.with { pipeline in
            let key = try await pipeline.registerAgency("feeds")
            // Windows long enough that each step below comes well inside them, also
            // beside the whole suite on two cores (a step has taken over 10 s there).
            let windows = ["SCREENING_SETTLE_MS": "30000", "SCREENING_EVIDENCE_WAIT_S": "600"]
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", settings: windows) {
                try await pipeline.submit("referrals", lines: corpus.referrals, named: "referrals.jsonl", agency: "feeds", keyFile: key)
                try await PipelineHarness.eventually("both acceptances screened") { try await pipeline.applied(by: "screening") == 2 }

                // Referred, no evidence yet: not decided, and not reported as differing.
                let early = try await pipeline.cli(["check", "decisions"])
                #expect(early.status == 0, "\(early.output)")
                #expect(early.output.contains("0 families checked"), "\(early.output)")
                #expect(early.output.contains("2 awaiting screening's decision, not checked"), "\(early.output)")

                // The first family's evidence in three files, each screened before the next is sent.
                var screened = 2
                for (number, part) in [evidence[0..<3], evidence[3..<6], evidence[6..<8]].enumerated() {
                    try await pipeline.submit("evidence", lines: part.joined(), named: "part-\(number).jsonl", agency: "feeds", keyFile: key)
                    screened += part.count
                    try await PipelineHarness.eventually("part \(number) screened") { try await pipeline.applied(by: "screening") == screened }
                    #expect(try await pipeline.count("SELECT count(*) FROM eligibility_decision") == 0)
                }
                try await PipelineHarness.eventually("the first family decided") {
                    try await pipeline.count("SELECT count(*) FROM screening_pending") == 1
                }
                let decided = try await pipeline.texts(
                    """
                    SELECT d.revision || ' ' || d.is_eligible::text || ' ' || array_to_string(d.met_criteria, ',')
                    FROM eligibility_decision d JOIN person p ON p.family_id = d.family_id AND p.given_name = 'Pat'
                    WHERE p.family_name = \(FamilyCorpus.surname(0))
                    """)
                #expect(decided == ["1 true crime,education,work"])
                #expect(try await pipeline.emitted(to: "eligibility.decided") == 1)
                // The second family still awaits its evidence.
                let later = try await pipeline.cli(["check", "decisions"])
                #expect(later.status == 0, "\(later.output)")
                #expect(later.output.contains("1 families checked"), "\(later.output)")
                #expect(later.output.contains("1 awaiting screening's decision, not checked"), "\(later.output)")
            }
        }
    }

    @Test func aScreeningFarBehindDecidesNoFamilyUntilItHasAlmostCaughtUp() async throws {
        // 2,700 events for screening: each family's acceptance and 8 records.
        let corpus = FamilyCorpus(count: 300)
        let events = 9 * corpus.count
        try await PipelineHarness.with { pipeline in
            let key = try await pipeline.registerAgency("bulk")
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["screening": 0, "claims": 0]) {
                try await pipeline.submit("referrals", lines: corpus.referrals, named: "referrals.jsonl", agency: "bulk", keyFile: key)
                try await pipeline.submit("evidence", lines: corpus.evidence, named: "evidence.jsonl", agency: "bulk", keyFile: key)
                try await PipelineHarness.eventually("intake sent every acceptance and record") {
                    try await pipeline.count(
                        "SELECT count(*) FROM outbox_event WHERE published_at IS NOT NULL AND topic <> \(pipeline.prefix + "receipts")") == events
                }
            }
            // Screening starts with all of it waiting, and would decide a family a
            // millisecond after its events stop, were it not behind. One lane of
            // small batches applies it in 27 transactions, one after another.
            try await pipeline.withServices(
                screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["intake": 0, "claims": 0],
                settings: ["SCREENING_SETTLE_MS": "1", "WORKER_LANES": "1", "WORKER_BATCH_SIZE": "100"]
            ) {
                try await PipelineHarness.eventually("every event screened") { try await pipeline.applied(by: "screening") == events }
                try await PipelineHarness.eventually("every family decided") {
                    try await pipeline.count("SELECT count(*) FROM screening_pending") == 0
                }
            }
            #expect(try await pipeline.count("SELECT count(DISTINCT family_id) FROM eligibility_decision") == corpus.count)
            // Behind by 1,000 messages or more (screening's bulk-load mark), it decided
            // nothing: the first decision came after the batch that applied the
            // 1,701st event had begun.
            let decidedWhileBehind = try await pipeline.count(
                """
                SELECT count(*) FROM eligibility_decision
                WHERE decided_at < (SELECT applied_at FROM inbox_event WHERE consumer = \(pipeline.prefix + "screening")
                                    ORDER BY applied_at OFFSET \(events - 1_000) LIMIT 1)
                """)
            #expect(decidedWhileBehind == 0)
        }
    }

    @Test func aScreeningKeepingUpWithAnIntakeFarBehindDecidesNoFamilyUntilIntakeCatchesUp() async throws {
        let corpus = FamilyCorpus(count: 2)
        try await PipelineHarness.with { pipeline in
            let key = try await pipeline.registerAgency("feeds")
            // Another intake process, still 5,000 messages into a bulk load.
            try await pipeline.pool.withConnection { connection in
                try connection.execute(
                    """
                    INSERT INTO consumer_backlog (consumer, member, messages, measured_at)
                    VALUES (\(pipeline.prefix + "intake"), 'another-intake', 5000, now() + interval '1 hour')
                    """)
            }
            try await pipeline.withServices(
                screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["claims": 0], settings: ["SCREENING_SETTLE_MS": "1"]
            ) {
                try await pipeline.submit("referrals", lines: corpus.referrals, named: "referrals.jsonl", agency: "feeds", keyFile: key)
                try await pipeline.submit("evidence", lines: corpus.evidence, named: "evidence.jsonl", agency: "feeds", keyFile: key)
                try await PipelineHarness.eventually("every event screened") { try await pipeline.applied(by: "screening") == 18 }
                try await PipelineHarness.eventually("both families long due, or decided") {
                    try await pipeline.count(
                        """
                        SELECT (SELECT count(*) FROM screening_pending WHERE due_at < now() - interval '3 seconds')
                             + (SELECT count(DISTINCT family_id) FROM eligibility_decision)
                        """) == 2
                }
                #expect(try await pipeline.count("SELECT count(*) FROM eligibility_decision") == 0)

                try await pipeline.pool.withConnection { try $0.execute("DELETE FROM consumer_backlog WHERE member = 'another-intake'") }
                try await PipelineHarness.eventually("both families decided once intake caught up") {
                    try await pipeline.count("SELECT count(*) FROM eligibility_decision") == 2
                }
                // Each running process reports what it has yet to apply.
                try await PipelineHarness.eventually("intake and screening report their backlogs") {
                    try await pipeline.count("SELECT count(*) FROM consumer_backlog WHERE messages = 0") == 2
                }
            }
            // A process that stops says so.
            #expect(try await pipeline.count("SELECT count(*) FROM consumer_backlog") == 0)
        }
    }

    @Test func aFamilyWhoseStoredMembersCannotBeReadIsSetAsideAndTheOthersAreDecided() async throws {
        try await PipelineHarness.with { pipeline in
            let (unreadable, readable) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
            let outputs = try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {
                // What an earlier build might have left: members screening cannot read.
                try await pipeline.pool.withConnection { connection in
                    try connection.execute(
                        """
                        INSERT INTO screening_family (family_id, members)
                        VALUES (\(unreadable)::uuid, '[{"id": 7}]'), (\(readable)::uuid, '[{"id": "P1", "dateOfBirth": "1980-02-14"}]')
                        """)
                    try connection.execute(
                        "INSERT INTO screening_pending (family_id, due_at) VALUES (\(unreadable)::uuid, now()), (\(readable)::uuid, now())")
                }
                try await PipelineHarness.eventually("the readable family decided") {
                    try await pipeline.count("SELECT count(*) FROM eligibility_decision WHERE family_id = \(readable)::uuid") == 1
                }
                #expect(try await pipeline.count("SELECT count(*) FROM eligibility_decision WHERE family_id = \(unreadable)::uuid") == 0)
                // Put off for an hour, still counted as awaiting its decision.
                #expect(
                    try await pipeline.count(
                        "SELECT count(*) FROM screening_pending WHERE family_id = \(unreadable)::uuid AND due_at > now() + interval '30 minutes'")
                        == 1)
            }
            let screening = outputs.filter { $0.stage == "screening" }.map(\.output).joined()
            #expect(screening.contains("set an item aside"), "\(screening)")
            #expect(screening.contains("family \(unreadable)"), "\(screening)")
        }
    }
}
