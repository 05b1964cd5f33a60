import Foundation
import IntegrationSupport
import Testing

/// Results that time earns are claimed with no event to prompt them.
@Suite(.startsProcesses, .takesAProcessSlot) struct MeasurementSweepTests {
    @Test func aResultTimeEarnsIsClaimedOnceByTheSweepWhateverTheReplicas() async throws {
        try await PipelineHarness.with { pipeline in
            var keys: [String: String] = [:]
            for agency in PipelineTests.sampleAgencies { keys[agency] = try await pipeline.registerAgency(agency) }
            func measured(asOf day: String) async throws -> Int {
                try await pipeline.count("SELECT count(*) FROM claims_family WHERE attached_on IS NOT NULL AND measured_on = \(day)::date")
            }
            // As of 1 December 2013 the Brennans' mother has been in work since
            // 2 October: not yet the 13 weeks of result C.
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2013-12-01", settings: ["CLAIMS_SWEEP_INTERVAL_S": "1"]) {
                for agency in ["police", "school"] {
                    try await pipeline.submit("referrals", sample: agency + "-referrals.jsonl", agency: agency, keyFile: keys[agency]!)
                }
                for agency in PipelineTests.sampleAgencies {
                    try await pipeline.submit("evidence", sample: agency + "-evidence.jsonl", agency: agency, keyFile: keys[agency]!)
                }
                try await PipelineHarness.eventually("three families found eligible") {
                    try await pipeline.count("SELECT count(DISTINCT family_id) FROM eligibility_decision WHERE is_eligible") == 3
                }
                for family in try await pipeline.cli(["families", "--eligible", "--ids-only"]).output.split(separator: "\n") {
                    let attached = try await pipeline.cli(["attach", String(family), "--on", "2013-09-16", "--keyworker", "kw-17", "--by", "coord-2"])
                    #expect(attached.status == 0, "\(attached.output)")
                }
                try await pipeline.submit("evidence", sample: "outcome-evidence.jsonl", agency: "dwp", keyFile: keys["dwp"]!)
                try await PipelineHarness.eventually("every attachment fee claimed") {
                    try await pipeline.count("SELECT count(*) FROM result_claim WHERE payment = 'attachment'") == 3
                }
                try await PipelineHarness.eventually("the attached families measured as of the day") {
                    try await measured(asOf: "2013-12-01") == 3
                }
                // All the evidence is with the claims stage (23 records, then the 5 of
                // the outcomes): from here on, only time passing earns a result.
                try await PipelineHarness.eventually("every evidence record with the claims stage") {
                    try await pipeline.count("SELECT count(*) FROM claims_evidence") == 28
                }
                #expect(try await pipeline.count("SELECT count(*) FROM result_claim WHERE payment = 'C'") == 0)
            }
            // Ten months later no event has come; three replicas of claims run.
            try await pipeline.withServices(
                screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", replicas: ["intake": 0, "screening": 0, "claims": 3],
                settings: ["CLAIMS_SWEEP_INTERVAL_S": "1"]
            ) {
                try await PipelineHarness.eventually("the attached families measured as of 30 September 2014") {
                    try await measured(asOf: "2014-09-30") == 3
                }
                #expect(try await pipeline.texts("SELECT amount_pence::text FROM result_claim WHERE payment = 'C'") == ["160000"])
            }
            // On demand, nothing is due twice.
            let onDemand = try await pipeline.cli(["claims", "measure", "--as-of", "2014-09-30", "--by", "finance-1"])
            #expect(onDemand.output.contains("measured 0 families as of 2014-09-30: 0 claim(s) made"), "\(onDemand.output)")
        }
    }
}
