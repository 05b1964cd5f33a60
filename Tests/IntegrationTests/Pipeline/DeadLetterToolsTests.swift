import Foundation
import IntegrationSupport
import Kafka
import Testing

/// An operator's dead-letter tools, as they use them: `turnaround dlq`
/// against the running services.
@Suite(.startsProcesses, .takesAProcessSlot) struct DeadLetterToolsTests {
    @Test func deadLettersAreListedShownReplayedOnceAfterTheFixAndPurged() async throws {
        try await PipelineHarness.with { pipeline in
            _ = try await pipeline.registerAgency("police")
            // The school holds its key, but intake does not know the school yet
            // (its registration is held back), so its referrals are set aside.
            let school = try await pipeline.registerAgency("school")
            try await pipeline.pool.withConnection { connection in
                try connection.execute("CREATE TABLE held_agency AS SELECT * FROM agency WHERE agency_id = 'school'")
                try connection.execute("CREATE TABLE held_agency_key AS SELECT * FROM agency_key WHERE agency_id = 'school'")
                try connection.execute("DELETE FROM agency WHERE agency_id = 'school'")
            }
            try await pipeline.submit("referrals", sample: "school-referrals.jsonl", agency: "school", keyFile: school)
            // And evidence signed with the wrong key, which no fix will make right.
            try await pipeline.submit("evidence", sample: "police-evidence.jsonl", agency: "police", keyFile: try pipeline.relabelledKeyFile(school, as: "police"))

            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {
                try await PipelineHarness.eventually("six dead letters") { try await pipeline.count("SELECT count(*) FROM dead_letter") == 6 }

                let listed = try await pipeline.cli(["dlq", "list", "--topic", "referrals.submitted", "--format", "csv"])
                #expect(listed.status == 0)
                let rows = listed.output.split(separator: "\n").dropFirst()
                #expect(rows.count == 2, "\(listed.output)")
                #expect(rows.allSatisfy { $0.contains("school is not a registered agency") && $0.contains("not replayed") }, "\(listed.output)")

                // The notices on the dead-letter topic say why and where, never who.
                let notices = try await pipeline.consume("referrals.submitted.dlq", count: 2)
                #expect(notices.count == 2)
                for notice in notices {
                    let text = String(decoding: notice.value, as: UTF8.self) + notice.headers.map { String(decoding: $0.value ?? [], as: UTF8.self) }.joined()
                    #expect(!text.contains("Brennan") && !text.contains("Elm St") && !text.contains("LS11AA"), "\(text)")
                    #expect(text.contains("school is not a registered agency"))
                }
                // `show` gives the original whole, to whoever may read it.
                let reference = try #require(notices.first?.headers.first { $0.name == "dlq-reference" }?.value)
                let shown = try await pipeline.cli(["dlq", "show", String(decoding: reference, as: UTF8.self)])
                #expect(shown.status == 0)
                #expect(shown.output.contains("school is not a registered agency") && shown.output.contains("\"familyName\""), "\(shown.output)")

                // The cause fixed, a dry run first, then the replay.
                try await pipeline.pool.withConnection { connection in
                    try connection.execute("INSERT INTO agency SELECT * FROM held_agency")
                    try connection.execute("INSERT INTO agency_key SELECT * FROM held_agency_key")
                }
                let dryRun = try await pipeline.cli(["dlq", "replay", "--topic", "referrals.submitted", "--dry-run"])
                #expect(dryRun.status == 0 && dryRun.output.contains("would replay 2 dead letters"), "\(dryRun.output)")
                #expect(try await pipeline.count("SELECT count(*) FROM dead_letter WHERE replayed_at IS NOT NULL") == 0)

                let replay = try await pipeline.cli(["dlq", "replay", "--topic", "referrals.submitted", "--by", "ops-1"])
                #expect(replay.status == 0 && replay.output.contains("replayed 2 dead letters"), "\(replay.output)")
                try await PipelineHarness.eventually("the replayed referrals stored") {
                    try await pipeline.count("SELECT count(*) FROM referral WHERE agency_id = 'school'") == 2
                }
                try await PipelineHarness.eventually("both replays listed as applied") {
                    let replayed = try await pipeline.cli(["dlq", "list", "--status", "replayed", "--format", "csv"])
                    return replayed.output.split(separator: "\n").dropFirst().filter { $0.contains("by ops-1") && $0.contains(": applied at") }.count == 2
                }
                let again = try await pipeline.cli(["dlq", "replay", "--topic", "referrals.submitted", "--by", "ops-1"])
                #expect(again.output.contains("nothing to replay"), "\(again.output)")

                // What must never be applied is purged, and only that.
                let unselected = try await pipeline.cli(["dlq", "purge"])
                #expect(unselected.status != 0 && unselected.output.contains("say which dead letters"), "\(unselected.output)")
                let purgeDryRun = try await pipeline.cli(["dlq", "purge", "--topic", "evidence.submitted", "--dry-run"])
                #expect(purgeDryRun.output.contains("would delete 4 dead letters"), "\(purgeDryRun.output)")
                let purge = try await pipeline.cli(["dlq", "purge", "--topic", "evidence.submitted"])
                #expect(purge.status == 0 && purge.output.contains("deleted 4 dead letters"), "\(purge.output)")
                #expect(try await pipeline.count("SELECT count(*) FROM dead_letter WHERE source_topic LIKE '%evidence.submitted'") == 0)
                #expect(try await pipeline.count("SELECT count(*) FROM dead_letter WHERE source_topic LIKE '%referrals.submitted'") == 2)
            }
            // Applied once: two referrals, and no replay set aside again.
            #expect(try await pipeline.count("SELECT count(*) FROM referral WHERE agency_id = 'school'") == 2)
            #expect(try await pipeline.count("SELECT count(*) FROM dead_letter") == 2)
        }
    }
}
