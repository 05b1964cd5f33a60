import Contracts
import Foundation
import IntegrationSupport
import Kafka
import Postgres
import Rules
import Testing
import Vocabulary

/// A family's events reach a stage on several topics, so on several lanes
/// and replicas at once; each stage must still decide from the whole family.
@Suite(.startsProcesses, .takesAProcessSlot) struct SerializationTests {
    static let screeningAsOf = "2013-09-01"
    static let claimsAsOf = "2014-09-30"

    /// Evidence submitted before the referrals waits in intake; each
    /// acceptance then releases its family's eight records in the same
    /// transaction, so screening gets the acceptance and the evidence at once
    /// on two topics, and claims gets the decisions, the evidence, the
    /// attachments and the outcome evidence racing each other.
    @Test func familiesDecidedAndClaimedFromAllTheirEvidenceWithTwoReplicasOfFourLanes() async throws {
        let corpus = FamilyCorpus(count: 300)
        try await PipelineHarness.with { pipeline in
            let key = try await pipeline.registerAgency("feeds")
            try await pipeline.withServices(
                screeningAsOf: Self.screeningAsOf, claimsAsOf: Self.claimsAsOf, replicas: ["intake": 2, "screening": 2, "claims": 2]
            ) {
                try await pipeline.submit("evidence", lines: corpus.evidence, named: "evidence.jsonl", agency: "feeds", keyFile: key)
                try await PipelineHarness.eventually("all evidence held") {
                    try await pipeline.count("SELECT count(*) FROM unmatched_evidence") == corpus.count * 8
                }
                try await pipeline.submit("referrals", lines: corpus.referrals, named: "referrals.jsonl", agency: "feeds", keyFile: key)
                try await pipeline.submit("evidence", lines: corpus.outcomes, named: "outcomes.jsonl", agency: "feeds", keyFile: key)
                try await PipelineHarness.eventually("every referral accepted") {
                    try await pipeline.count("SELECT count(*) FROM referral") == corpus.count
                }
                let eligible = try await pipeline.texts("SELECT DISTINCT family_id::text FROM person WHERE family_name LIKE 'Even%'")
                try await pipeline.attach(eligible, on: "2013-09-16")

                try await pipeline.awaitQuiet(submitted: corpus.count * 10, attachments: eligible.count)
                // Two intake replicas matched everyone once: one record per person, three per family.
                #expect(try await pipeline.count("SELECT count(*) FROM person") == corpus.count * 3)
                #expect(try await pipeline.count("SELECT count(DISTINCT family_id) FROM person") == corpus.count)
                #expect(try await pipeline.count("SELECT count(*) FROM screening_evidence") == corpus.count * 9)
                let latest = try await pipeline.texts(
                    "SELECT DISTINCT ON (family_id) is_eligible::text FROM eligibility_decision ORDER BY family_id, revision DESC")
                #expect(latest.count == corpus.count)
                #expect(latest.filter { $0 == "true" }.count == corpus.eligibleCount)
                // Each family recomputed as of its latest decision's day.
                let decisions = try await pipeline.cli(["check", "decisions"])
                #expect(decisions.status == 0, "\(decisions.output)")
                #expect(decisions.output.contains("\(corpus.count) families checked"), "\(decisions.output)")

                // Every eligible family attached: its fee and, its adult in work, result C.
                #expect(try await pipeline.count("SELECT count(*) FROM result_claim WHERE payment = 'attachment'") == eligible.count)
                #expect(try await pipeline.count("SELECT count(*) FROM result_claim WHERE payment = 'C'") == eligible.count)
                let claims = try await pipeline.cli(["check", "claims", "--as-of", Self.claimsAsOf])
                #expect(claims.status == 0, "\(claims.output)")
            }
        }
    }

    /// An agency corrects a record to be about someone in another family: the
    /// record moves, and both families are decided again.
    @Test func aCorrectionThatMovesARecordToAnotherFamilyRedecidesBoth() async throws {
        let corpus = FamilyCorpus(count: 2)
        try await Self.withLoadedCorpus(corpus, attachingEligible: false) { pipeline, key, _ in
            let latest: PostgresQuery = """
                SELECT DISTINCT ON (d.family_id) p.family_name || ' ' || d.is_eligible::text
                FROM eligibility_decision d JOIN person p ON p.family_id = d.family_id AND p.given_name = 'Pat'
                ORDER BY d.family_id, d.revision DESC
                """
            let (even, odd) = (FamilyCorpus.surname(0), FamilyCorpus.surname(1))
            #expect(try await pipeline.texts(latest).sorted() == ["\(even) true", "\(odd) false"])

            // The offence that made the first family's crime criterion was the second family's son's.
            let correction =
                #"{"id":"OFF-0","subject":{"givenName":"Lee","familyName":"\#(odd)","dateOfBirth":"1998-06-01"},"#
                + #""fact":{"kind":"offence","date":"2013-03-10","proven":true}}"# + "\n"
            try await pipeline.submit("evidence", lines: correction, named: "correction.jsonl", agency: "feeds", keyFile: key)
            try await pipeline.awaitQuiet(submitted: corpus.count * 9 + 1, attachments: 0)
            #expect(try await pipeline.texts(latest).sorted() == ["\(even) false", "\(odd) true"])
            let check = try await pipeline.cli(["check", "decisions"])
            #expect(check.status == 0, "\(check.output)")
        }
    }

    @Test func driftInARecordedDecisionIsReportedAndFixedOnce() async throws {
        let corpus = FamilyCorpus(count: 6)
        try await Self.withLoadedCorpus(corpus, attachingEligible: false) { pipeline, _, _ in
            let check = ["check", "decisions", "--as-of", Self.screeningAsOf, "--format", "json"]
            #expect(try await pipeline.cli(check).status == 0)

            // Someone edits an eligible family's latest decision by hand.
            let family = try await pipeline.texts(
                "SELECT DISTINCT family_id::text FROM person WHERE family_name = \(FamilyCorpus.surname(0))")[0]
            try await pipeline.pool.withConnection { connection in
                try connection.execute(
                    """
                    UPDATE eligibility_decision SET is_eligible = false, met_criteria = '{education,work}'
                    WHERE family_id = \(family)::uuid AND revision = (SELECT max(revision) FROM eligibility_decision WHERE family_id = \(family)::uuid)
                    """)
            }
            let drift = try await pipeline.cli(check)
            #expect(drift.status == 1)
            let reported = try JSONSerialization.jsonObject(with: Data(drift.output.utf8)) as? [[String: String]]
            #expect(reported?.map { $0["family_id"] } == [family], "\(drift.output)")
            #expect(reported?.first?["differs_in"] == "outcome, criteria", "\(drift.output)")

            let decidedBefore = try await pipeline.emitted(to: "eligibility.decided")
            let fixed = try await pipeline.cli(check + ["--fix", "--by", "auditor-7"])
            #expect(fixed.status == 0, "\(fixed.output)")
            #expect(try await pipeline.cli(check).status == 0)
            let again = try await pipeline.cli(check + ["--fix", "--by", "auditor-7"])
            #expect((try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [Any])?.isEmpty == true, "\(again.output)")

            // One corrected decision, attributed, and sent on once.
            #expect(
                try await pipeline.texts(
                    """
                    SELECT decided_by || ' ' || is_eligible::text FROM eligibility_decision
                    WHERE family_id = \(family)::uuid ORDER BY revision DESC LIMIT 1
                    """) == ["auditor-7 true"])
            #expect(try await pipeline.count("SELECT count(*) FROM eligibility_decision WHERE decided_by = 'auditor-7'") == 1)
            #expect(try await pipeline.emitted(to: "eligibility.decided") == decidedBefore + 1)
        }
    }

    @Test func aMissingClaimIsClaimedByTheFixAndAnUnsupportedOneIsReported() async throws {
        let corpus = FamilyCorpus(count: 4)
        try await Self.withLoadedCorpus(corpus, attachingEligible: true) { pipeline, _, eligible in
            let check = ["check", "claims", "--as-of", Self.claimsAsOf, "--format", "json"]
            #expect(try await pipeline.cli(check).status == 0)
            try #require(eligible.count == corpus.eligibleCount)

            // One attachment fee lost; a result C claimed that no evidence supports.
            let lost = eligible.sorted()[0]
            let unsupported = eligible.sorted()[1]
            try await pipeline.pool.withConnection { connection in
                try connection.execute("DELETE FROM result_claim WHERE family_id = \(lost)::uuid")
                try connection.execute(
                    """
                    INSERT INTO result_claim (family_id, ruleset_id, ruleset_version, ruleset_hash, payment, amount_pence,
                                              financial_year, claim_window, explanation, claimed_by)
                    SELECT family_id, ruleset_id, ruleset_version, ruleset_hash, 'C', 160000, financial_year, claim_window,
                           explanation, 'someone'
                    FROM result_claim WHERE family_id = \(unsupported)::uuid AND payment = 'attachment'
                    """)
            }
            let findings = try await pipeline.cli(check)
            #expect(findings.status == 1)
            let reported = try JSONSerialization.jsonObject(with: Data(findings.output.utf8)) as? [[String: String]] ?? []
            #expect(reported.count == 2, "\(findings.output)")
            #expect(
                reported.contains {
                    $0 == ["family_id": lost, "payment": "attachment", "finding": "unclaimed", "detail": "due: £2,400"]
                }, "\(findings.output)")
            #expect(
                reported.contains {
                    $0["family_id"] == unsupported && $0["payment"] == "C" && $0["finding"] == "unsupported"
                        && $0["detail"] == "result C is not achieved as of 2014-09-30 on the evidence held"
                }, "\(findings.output)")

            let fixed = try await pipeline.cli(check + ["--fix", "--by", "finance-3"])
            #expect(fixed.status == 1, "the unsupported claim is finance's to reject: \(fixed.output)")
            #expect(try await pipeline.count("SELECT count(*) FROM result_claim WHERE claimed_by = 'finance-3'") == 1)
            #expect(try await pipeline.count("SELECT count(*) FROM result_claim WHERE family_id = \(lost)::uuid") == 1)
            let after = try JSONSerialization.jsonObject(with: Data(try await pipeline.cli(check).output.utf8)) as? [[String: String]]
            #expect(after?.map { $0["finding"] } == ["unsupported"])
        }
    }

    /// Runs the services with `corpus`'s referrals and evidence submitted and
    /// applied by every stage (and its eligible families attached, if asked).
    private static func withLoadedCorpus(
        _ corpus: FamilyCorpus, attachingEligible: Bool,
        _ body: (_ pipeline: PipelineHarness, _ key: String, _ attached: [String]) async throws -> Void
    ) async throws {
        try await PipelineHarness.with { pipeline in
            let key = try await pipeline.registerAgency("feeds")
            try await pipeline.withServices(screeningAsOf: screeningAsOf, claimsAsOf: claimsAsOf) {
                try await pipeline.submit("referrals", lines: corpus.referrals, named: "referrals.jsonl", agency: "feeds", keyFile: key)
                try await pipeline.submit("evidence", lines: corpus.evidence, named: "evidence.jsonl", agency: "feeds", keyFile: key)
                try await PipelineHarness.eventually("every referral accepted") {
                    try await pipeline.count("SELECT count(*) FROM referral") == corpus.count
                }
                var attached: [String] = []
                if attachingEligible {
                    attached = try await pipeline.texts("SELECT DISTINCT family_id::text FROM person WHERE family_name LIKE 'Even%'")
                    try await pipeline.attach(attached, on: "2013-09-16")
                }
                try await pipeline.awaitQuiet(submitted: corpus.count * 9, attachments: attached.count)
                try await body(pipeline, key, attached)
            }
        }
    }

    @Test func twoIntakeReplicasRacingOnOverlappingReferralsMakeEachFamilyOnceWithoutDeadlock() async throws {
        try await PipelineHarness.with { pipeline in
            let corpus = FamilyCorpus(count: 500)
            let police = try await pipeline.registerAgency("police")
            let school = try await pipeline.registerAgency("school")
            // Both agencies' files wait on the topic, so the replicas' lanes take them all at once.
            try await pipeline.submit("referrals", lines: corpus.overlappingReferrals(variant: 0), named: "police.jsonl", agency: "police", keyFile: police)
            try await pipeline.submit("referrals", lines: corpus.overlappingReferrals(variant: 1), named: "school.jsonl", agency: "school", keyFile: school)
            let outputs = try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["intake": 2]) {
                try await PipelineHarness.eventually("2,000 referrals accepted") {
                    let accepted = try await pipeline.count("SELECT count(*) FROM referral")
                    return (accepted == 2_000, "\(accepted) referrals")
                }
            }
            #expect(try await pipeline.count("SELECT count(*) FROM family") == 500)
            #expect(try await pipeline.count("SELECT count(*) FROM person") == 1_500)
            #expect(try await pipeline.count("SELECT count(DISTINCT family_id) FROM referral") == 500)
            #expect(try await pipeline.count("SELECT count(*) FROM review_item") == 0)
            #expect(try await pipeline.count("SELECT count(*) FROM dead_letter") == 0)
            for (stage, output) in outputs where stage == "intake" {
                #expect(!output.contains("40P01") && !output.contains("deadlock"), "\(output)")
            }
        }
    }
}

extension PipelineHarness {
    /// Attaches families as a co-ordinator does, straight onto the topic.
    func attach(_ families: [String], on day: String) async throws {
        let producer = try KafkaProducer(configuration: kafka, logger: TestEnvironment.logger)
        for family in families {
            let message = FamilyAttached(
                familyID: UUID(uuidString: family)!, attachedOn: CalendarDate(iso: day)!, keyworker: "kw-1", recordedBy: "coord-1",
                recordedAt: Date())
            try await producer.enqueue(
                KafkaOutgoingMessage(
                    topic: prefix + "families.attached", key: Array(message.partitionKey.utf8), value: message.encoded(),
                    headers: [.newEventID()]))
        }
        try await producer.flush()
        await producer.shutdown()
    }

    /// Waits until intake has applied the `submitted` lines, and screening
    /// and claims every event sent to them: intake's, screening's and
    /// `attachments` more.
    func awaitQuiet(submitted: Int, attachments: Int) async throws {
        try await Self.eventually("every stage applied every event") {
            // Read in the pipeline's order, each after what feeds it: once
            // screening has applied every event no batch makes a family
            // due again, and once none is due every decision is in the outbox.
            let intake = try await applied(by: "intake")
            let accepted = try await emitted(to: "referrals.accepted")
            let recorded = try await emitted(to: "evidence.recorded")
            let screened = try await applied(by: "screening")
            let undecided = try await count("SELECT count(*) FROM screening_pending")
            let decided = try await emitted(to: "eligibility.decided")
            let claimed = try await applied(by: "claims")
            // Which stage stopped short, for whoever reads a failure.
            let counts = "intake applied \(intake) of \(submitted); screening applied \(screened) of \(accepted) + \(recorded), "
                + "\(undecided) families awaiting their decision; claims applied \(claimed) of \(decided) + \(recorded) + \(attachments)"
            return (
                intake == submitted && screened == accepted + recorded && undecided == 0 && claimed == decided + recorded + attachments, counts
            )
        }
    }
}
