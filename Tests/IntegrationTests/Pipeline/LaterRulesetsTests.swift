import Foundation
import IntegrationSupport
import Testing

/// The later rulesets as a co-ordinator meets them: screening run under
/// phase 2, and `turnaround explain` naming what met each need and where
/// the criterion comes from.
@Suite(.startsProcesses, .takesAProcessSlot) struct LaterRulesetsTests {
    /// A father with a proven offence in January 2016 (police) and on JSA
    /// since September 2015 (DWP), and his daughter: two of phase 2's six
    /// problems in May 2016.
    static func sendTheNowakFamily(to pipeline: PipelineHarness) async throws {
        let police = try await pipeline.registerAgency("police")
        let dwp = try await pipeline.registerAgency("dwp")
        let father = #""givenName":"Marek","familyName":"Nowak","dateOfBirth":"1979-07-12""#
        let referral =
            #"{"id":"WYP-2016-0101","address":{"lines":["4 Ash Grove","Leeds"],"postcode":"LS6 2AB"},"members":[{"ref":"father",\#(father)},"#
            + #"{"ref":"daughter","givenName":"Zofia","familyName":"Nowak","dateOfBirth":"2008-02-03"}],"reasons":["anti-social behaviour"]}"#
        try await pipeline.submit("referrals", lines: referral, named: "referral.jsonl", agency: "police", keyFile: police)
        try await pipeline.submit(
            "evidence", lines: #"{"id":"OFF-2016-7","subject":{\#(father)},"fact":{"kind":"offence","date":"2016-01-14","proven":true}}"#,
            named: "offence.jsonl", agency: "police", keyFile: police)
        try await pipeline.submit(
            "evidence", lines: #"{"id":"JSA-2015-3","subject":{\#(father)},"fact":{"kind":"benefitSpell","benefit":"JSA","from":"2015-09-01"}}"#,
            named: "benefit.jsonl", agency: "dwp", keyFile: dwp)
    }

    /// The one eligible family's id, once there is one (the CLI may also say it waited for a server).
    static func eligibleFamily(_ pipeline: PipelineHarness) async throws -> String {
        var eligible: UUID?
        try await PipelineHarness.eventually("the family decided eligible") {
            let listed = try await pipeline.cli(["families", "--eligible", "--ids-only"])
            eligible = listed.status == 0 ? listed.output.split(separator: "\n").compactMap { UUID(uuidString: String($0)) }.first : nil
            return eligible != nil
        }
        return try #require(eligible).uuidString.lowercased()
    }

    @Test func underPhaseTwoAFatherWithARecentOffenceOnJSAMakesHisFamilyEligibleAndExplainSaysWhy() async throws {
        try await PipelineHarness.with { pipeline in
            try await LaterRulesetsTests.sendTheNowakFamily(to: pipeline)

            try await pipeline.withServices(
                screeningAsOf: "2016-05-14", claimsAsOf: "2016-05-14", replicas: ["claims": 0], settings: ["RULESET": "phase2-2015"]
            ) {
                let explained = try await pipeline.cli(["explain", try await Self.eligibleFamily(pipeline)])
                #expect(explained.status == 0, "\(explained.output)")
                for expected in [
                    "under phase2-2015 v1.2.0", "[met]     Crime / anti-social behaviour",
                    "  source: Financial Framework for the Expanded Troubled Families Programme (DCLG, 2015), headline problem 1",
                    "OFF-2016-7", "[met]     Worklessness or financial exclusion", "JSA-2015-3",
                ] {
                    #expect(explained.output.contains(expected), "\(expected)\n\(explained.output)")
                }
            }
        }
    }

    /// The kinds of evidence the later frameworks' indicators need, sent as
    /// an agency would (a CSV with the new columns, a JSON line), checked by
    /// `submit`, and named by `explain` under the need they met.
    @Test func underSupportingFamiliesCustodyACourtOrderAYoungPersonOutOfWorkAndMissingEducationAreNeedsExplainNames() async throws {
        try await PipelineHarness.with { pipeline in
            let council = try await pipeline.registerAgency("council")
            let mother = #""givenName":"Dana","familyName":"Reid","dateOfBirth":"1986-03-04""#
            let referral =
                #"{"id":"SF-2026-0042","address":{"lines":["9 Elm Row","Leeds"],"postcode":"LS8 1QT"},"members":[{"ref":"mother",\#(mother)},"#
                + #"{"ref":"son","givenName":"Kai","familyName":"Reid","dateOfBirth":"2009-10-01"},"#
                + #"{"ref":"daughter","givenName":"Mia","familyName":"Reid","dateOfBirth":"2015-01-20"}],"reasons":["adult offending"]}"#
            try await pipeline.submit("referrals", lines: referral, named: "referral.jsonl", agency: "council", keyFile: council)

            let badOrder = try pipeline.file(
                named: "orders.jsonl",
                holding: #"{"id":"ORD-1","subject":{\#(mother)},"fact":{"kind":"courtOrder","order":"fine","from":"2026-01-05","to":"2026-03-01"}}"#)
            let refused = try await pipeline.cli(["submit", "evidence", badOrder, "--agency", "council", "--key-file", council])
            #expect(refused.status != 0)
            #expect(
                refused.output.contains("orders.jsonl:1: fact.order: is not a court order: one of licence, communityOrder, suspendedSentence"),
                "\(refused.output)")

            let csv = """
                record_id,given_name,family_name,date_of_birth,kind,from,to,expected_release,order
                CUS-7,Dana,Reid,1986-03-04,custody,2025-11-02,,2027-05-30,
                LIC-2,Dana,Reid,1986-03-04,courtOrder,2024-05-01,2025-11-01,,licence
                NEET-3,Kai,Reid,2009-10-01,neet,2026-07-20,,,
                CME-4,Mia,Reid,2015-01-20,missingEducation,2026-03-02,,,

                """
            try await pipeline.submit("evidence", lines: csv, named: "council.csv", agency: "council", keyFile: council)

            try await pipeline.withServices(
                screeningAsOf: "2026-09-01", claimsAsOf: "2026-09-01", replicas: ["claims": 0], settings: ["RULESET": "supporting-families-2022"]
            ) {
                let explained = try await pipeline.cli(["explain", try await Self.eligibleFamily(pipeline)])
                #expect(explained.status == 0, "\(explained.output)")
                for expected in [
                    "under supporting-families-2022 v1.3.0", "[met]     Crime prevention and tackling crime",
                    "in custody since 2025-11-02, expected release 2027-05-30 (council/CUS-7)",
                    "licence from 2024-05-01 to 2025-11-01 (council/LIC-2)",
                    "[met]     Financial stability", "16: not in education, employment or training since 2026-07-20 (council/NEET-3)",
                    "[met]     Getting a good education", "missing education from 2026-03-02 (council/CME-4)",
                ] {
                    #expect(explained.output.contains(expected), "\(expected)\n\(explained.output)")
                }
            }
        }
    }
}
