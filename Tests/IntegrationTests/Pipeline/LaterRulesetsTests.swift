import Foundation
import IntegrationSupport
import Testing

/// The later rulesets as a co-ordinator meets them: screening run under
/// phase 2, and `turnaround explain` naming what met each need and where
/// the criterion comes from.
@Suite(.startsProcesses) struct LaterRulesetsTests {
    @Test func underPhaseTwoAFatherWithARecentOffenceOnJSAMakesHisFamilyEligibleAndExplainSaysWhy() async throws {
        try await PipelineHarness.with { pipeline in
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

            try await pipeline.withServices(
                screeningAsOf: "2016-05-14", claimsAsOf: "2016-05-14", replicas: ["claims": 0], settings: ["RULESET": "phase2-2015"]
            ) {
                // The one eligible family's id, once there is one (the CLI may also say it waited for a server).
                var eligible: UUID?
                try await PipelineHarness.eventually("the family decided eligible") {
                    let listed = try await pipeline.cli(["families", "--eligible", "--ids-only"])
                    eligible = listed.status == 0 ? listed.output.split(separator: "\n").compactMap { UUID(uuidString: String($0)) }.first : nil
                    return eligible != nil
                }
                let family = try #require(eligible).uuidString.lowercased()
                let explained = try await pipeline.cli(["explain", family])
                #expect(explained.status == 0, "\(explained.output)")
                for expected in [
                    "under phase2-2015 v1.1.0", "[met]     Crime / anti-social behaviour",
                    "  source: Financial Framework for the Expanded Troubled Families Programme (DCLG, 2015), headline problem 1",
                    "OFF-2016-7", "[met]     Worklessness or financial exclusion", "JSA-2015-3",
                ] {
                    #expect(explained.output.contains(expected), "\(expected)\n\(explained.output)")
                }
            }
        }
    }
}
