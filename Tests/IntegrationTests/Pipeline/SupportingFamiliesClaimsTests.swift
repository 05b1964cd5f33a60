import Contracts
import Foundation
import IntegrationSupport
import Kafka
import Postgres
import StageLogic
import Store
import Testing
import Vocabulary

/// Supporting Families' claims: a result is an outcome sustained six months
/// after the case closed (`turnaround close`), and results are claimed for
/// at most the authority's allocation of families a year, however many
/// claims replicas race.
@Suite(.startsProcesses, .takesAProcessSlot) struct SupportingFamiliesClaimsTests {
    static let ruleset = ["RULESET": "supporting-families-2022"]
    static let members = [
        FamilyMember(id: "P1", dateOfBirth: CalendarDate(iso: "1985-04-02")!), FamilyMember(id: "P2", dateOfBirth: CalendarDate(iso: "2014-10-20")!),
    ]

    /// Families the claims stage holds as eligible under Supporting Families
    /// and attached on 1 September 2022, closed on `closedOn` (nil: open).
    static func attachedFamilies(_ count: Int, closedOn: String?, in pipeline: PipelineHarness) async throws -> [UUID] {
        let families = (0..<count).map { _ in UUID() }
        try await pipeline.pool.withConnection { connection in
            try ClaimsFamilyTable.write(
                families.map {
                    ClaimsFamilyRow(
                        familyID: $0, members: members, decisionID: UUID(), decisionRevision: 1, rulesetID: "supporting-families-2022",
                        isEligible: true, decidedOn: "2022-08-20", eligibleSince: "2022-08-20", attachedOn: "2022-09-01", keyworker: "kw-4",
                        attachedBy: "coordinator-1", closedOn: closedOn, closedBy: closedOn.map { _ in "coordinator-1" })
                }, on: connection)
        }
        return families
    }

    /// Domestic abuse recorded against each family's adult in August 2022: a
    /// need at attachment, gone by the autumn of 2023. The claims stage
    /// measures each family as its evidence arrives.
    static func sendEvidence(about families: [UUID], to pipeline: PipelineHarness) async throws {
        let producer = try KafkaProducer(configuration: pipeline.kafka, logger: TestEnvironment.logger)
        for family in families {
            let message = EvidenceRecorded(
                familyID: family, evidenceID: "police/DA-\(family.uuidString.prefix(8))", personID: "P1",
                fact: .indicator(name: "domestic abuse", date: CalendarDate(iso: "2022-08-01")!), recordedAt: Date())
            try await producer.enqueue(
                KafkaOutgoingMessage(
                    topic: pipeline.prefix + "evidence.recorded", key: Array(message.partitionKey.utf8), value: message.encoded(),
                    headers: [.newEventID()]))
        }
        try await producer.flush()
        await producer.shutdown()
    }

    @Test func aResultIsClaimedOnlyOnceTheCaseHasBeenClosedSixMonthsAndCloseRefusesWhatCannotClose() async throws {
        try await PipelineHarness.with { pipeline in
            let families = try await Self.attachedFamilies(2, closedOn: nil, in: pipeline)
            let (family, other) = (families[0].uuidString.lowercased(), families[1].uuidString.lowercased())
            try await pipeline.withServices(
                screeningAsOf: "2023-10-01", claimsAsOf: "2023-10-01", replicas: ["intake": 0, "screening": 0],
                settings: Self.ruleset.merging(["CLAIMS_SWEEP_INTERVAL_S": "1"]) { $1 }
            ) {
                try await Self.sendEvidence(about: [families[0]], to: pipeline)
                try await PipelineHarness.eventually("the evidence with the claims stage") {
                    try await pipeline.count("SELECT count(*) FROM claims_evidence") == 1
                }
                // Measured on the evidence's arrival, in the batch that recorded it: the case is open, so nothing is
                // due, nor held back for want of an allocation (as it would be, were the result measured from attachment).
                #expect(try await pipeline.count("SELECT count(*) FROM result_claim") == 0)
                #expect(try await pipeline.count("SELECT count(*) FROM claims_allocation_held") == 0)

                let closed = try await pipeline.cli([
                    "close", family, "--on", "2023-03-01", "--by", "coordinator-2", "--reason", "stepped down to early help",
                ])
                #expect(closed.status == 0, "\(closed.output)")
                #expect(closed.output.contains("the closure of family \(family)'s case on 2023-03-01 (recorded by coordinator-2) sent to"), "\(closed.output)")
                // Its result is due, but 2023/24 has no allocation yet: finance sees the family waiting.
                try await PipelineHarness.eventually("the result held back for want of an allocation") {
                    try await pipeline.count("SELECT count(*) FROM claims_allocation_held WHERE financial_year = '2023/24'") == 1
                }
                let waiting = try await pipeline.cli(["claims", "allocation", "--format", "csv"])
                #expect(waiting.output.contains("2023/24,,0,,1,,"), "\(waiting.output)")
                let table = try await pipeline.cli(["claims", "allocation"])
                #expect(table.output.contains("no allocation set for 2023/24: results due in it are held back"), "\(table.output)")
                let allocation = try await pipeline.cli(
                    ["claims", "allocation", "set", "--year", "2023/24", "--families", "5", "--by", "finance-1"], environment: Self.ruleset)
                #expect(allocation.status == 0, "\(allocation.output)")
                #expect(allocation.output.contains("1 families waiting are measured again at the claims stage's next sweep"), "\(allocation.output)")
                try await PipelineHarness.eventually("the result claimed six months after the case closed") {
                    try await pipeline.count(
                        "SELECT count(*) FROM result_claim WHERE family_id = \(families[0]) AND payment = 'sustained-outcomes' AND amount_pence = 80000")
                        == 1
                }
                #expect(try await pipeline.texts("SELECT closed_on::text || ' ' || closed_by FROM claims_family WHERE family_id = \(families[0])")
                    == ["2023-03-01 coordinator-2"])
            }
            let claimID = try await pipeline.texts("SELECT claim_id::text FROM result_claim WHERE family_id = \(families[0])")[0]
            let pack = try await pipeline.cli(["claims", "pack", claimID, "--format", "json"])
            #expect(pack.output.contains(#""closedOn" : "2023-03-01""#), "\(pack.output)")

            let again = try await pipeline.cli(["close", family, "--on", "2023-04-01", "--by", "coordinator-3"])
            #expect(again.status == 1)
            #expect(again.output.contains("family \(family) was closed already, on 2023-03-01 (recorded by coordinator-2): its first closure stands"), "\(again.output)")
            let unknown = UUID().uuidString.lowercased()
            let several = try await pipeline.cli(["close", other, unknown, "--on", "2022-08-01", "--by", "coordinator-3"])
            #expect(several.status == 1)
            #expect(several.output.contains("family \(other) cannot close on 2022-08-01, before its attachment on 2022-09-01"), "\(several.output)")
            #expect(several.output.contains("family \(unknown) is not attached: only a family the authority works with has a case to close "
                    + "(an attachment just sent counts once the claims stage has recorded it) (nothing was sent)"), "\(several.output)")
            let future = try await pipeline.cli(["close", other, "--on", "2999-01-01", "--by", "coordinator-3"])
            #expect(future.status == 64, "\(future.output)")
            #expect(try await pipeline.count("SELECT count(*) FROM claims_family WHERE family_id = \(families[1]) AND closed_on IS NOT NULL") == 0)
        }
    }

    @Test func threeClaimsReplicasRacingClaimResultsForExactlyTheAllocationAndHoldTheRestBack() async throws {
        try await PipelineHarness.with { pipeline in
            let families = try await Self.attachedFamilies(30, closedOn: "2023-03-01", in: pipeline)
            let set = try await pipeline.cli(
                ["claims", "allocation", "set", "--year", "2023/24", "--families", "10", "--by", "finance-1"], environment: Self.ruleset)
            #expect(set.status == 0, "\(set.output)")
            try await pipeline.withServices(
                screeningAsOf: "2023-10-01", claimsAsOf: "2023-10-01", replicas: ["intake": 0, "screening": 0, "claims": 3],
                settings: Self.ruleset.merging(["CLAIMS_SWEEP_INTERVAL_S": "1"]) { $1 }
            ) {
                try await Self.sendEvidence(about: families, to: pipeline)
                try await PipelineHarness.eventually("every family claimed for or held back") {
                    let counted = try await pipeline.count("SELECT count(*) FROM claims_allocation_family")
                    let held = try await pipeline.count("SELECT count(*) FROM claims_allocation_held")
                    return (counted + held == 30, "\(counted) counted, \(held) held")
                }
            }
            #expect(try await pipeline.count("SELECT count(DISTINCT family_id) FROM result_claim WHERE payment = 'sustained-outcomes'") == 10)
            #expect(try await pipeline.count("SELECT claimed FROM claims_allocation WHERE financial_year = '2023/24'") == 10)
            #expect(
                try await pipeline.count(
                    """
                    SELECT count(*) FROM claims_allocation_held AS held JOIN result_claim AS claim ON claim.family_id = held.family_id
                    """) == 0)
            // Checking the claims finds the families waiting held back, not missed.
            let check = try await pipeline.cli(["check", "claims", "--as-of", "2023-10-01"], environment: Self.ruleset)
            #expect(check.status == 0, "\(check.output)")
            #expect(check.output.contains("0 claimable and not claimed, 20 held back (no allocation left for 2023/24), 0 claimed and not supported"), "\(check.output)")
            let shown = try await pipeline.cli(["claims", "allocation", "--format", "csv"])
            #expect(shown.output.contains("2023/24,10,10,0,20,finance-1,"), "\(shown.output)")
            // A smaller allocation than the families claimed for is refused; the database itself refuses an eleventh family.
            let smaller = try await pipeline.cli(
                ["claims", "allocation", "set", "--year", "2023/24", "--families", "9", "--by", "finance-2"], environment: Self.ruleset)
            #expect(smaller.status == 1)
            #expect(smaller.output.contains("2023/24's allocation cannot be 9: results were claimed for more families than that in 2023/24 already"), "\(smaller.output)")
            let eleventh = await #expect(throws: PostgresError.self) {
                try await pipeline.pool.withConnection { connection in
                    try connection.execute("INSERT INTO claims_allocation_family (financial_year, family_id) VALUES ('2023/24', \(UUID()))")
                }
            }
            #expect(eleventh?.constraint == "claims_allocation_not_exceeded", "\(String(describing: eleventh))")
            // A larger allocation lets the families waiting longest through at the next measurement.
            let larger = try await pipeline.cli(
                ["claims", "allocation", "set", "--year", "2023/24", "--families", "12", "--by", "finance-2"], environment: Self.ruleset)
            #expect(larger.output.contains("20 families waiting are measured again"), "\(larger.output)")
            let measured = try await pipeline.cli(["claims", "measure", "--as-of", "2023-10-01", "--by", "finance-2"], environment: Self.ruleset)
            #expect(measured.output.contains("measured 20 families as of 2023-10-01: 2 claim(s) made"), "\(measured.output)")
            let after = try await pipeline.cli(["claims", "allocation", "--format", "csv"])
            #expect(after.output.contains("2023/24,12,12,0,18,finance-2,"), "\(after.output)")
        }
    }
}
