import Foundation
import IntegrationSupport
import Postgres
import Store
import Testing

/// Screening's decisions, each family's numbered 1, 2, ….
@Suite struct EligibilityDecisionTableTests {
    static func decision(_ familyID: UUID, revision: Int, eligible: Bool) -> EligibilityDecisionTable.Row {
        EligibilityDecisionTable.Row(
            decisionID: UUID(), familyID: familyID, revision: revision, decidedBy: "turnaround-screening", decidedOn: "2013-09-0\(revision)",
            rulesetID: "phase1-2012", rulesetVersion: "1.0.0", rulesetHash: "h\(revision)", isEligible: eligible,
            metCriteria: eligible ? ["crime", "education"] : [], summary: "decided", memberIDs: ["A1", "C1"], decision: #"{"isEligible": true}"#)
    }

    @Test func eachFamilysLatestDecisionIsItsHighestRevisionOnceHoweverOftenItIsNamed() async throws {
        try await TestEnvironment.withTestSchema { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let (twice, once, never) = (UUID(), UUID(), UUID())
            let latest = try await pool.withTransaction { connection in
                try EligibilityDecisionTable.insert(
                    [Self.decision(twice, revision: 1, eligible: false), Self.decision(twice, revision: 2, eligible: true)], on: connection)
                try EligibilityDecisionTable.insert([Self.decision(once, revision: 1, eligible: false)], on: connection)
                return try EligibilityDecisionTable.latest(of: [twice, once, never, twice], on: connection)
            }
            #expect(Set(latest.keys) == [twice, once])
            let latestOfTwice = try #require(latest[twice])
            #expect(latestOfTwice.revision == 2 && latestOfTwice.decidedOn == "2013-09-02" && latestOfTwice.isEligible)
            #expect(latestOfTwice.metCriteria == ["crime", "education"] && latestOfTwice.rulesetHash == "h2")
            #expect(latestOfTwice.memberIDs == ["A1", "C1"])
            #expect(latest[once]?.revision == 1 && latest[once]?.isEligible == false && latest[once]?.metCriteria == [])
        }
    }
}
