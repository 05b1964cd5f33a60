import Foundation
import IntegrationSupport
import Testing

/// What agencies send is remembered by its id, so a broker that starts its
/// offsets again (restarted, a topic recreated, a cluster migrated) loses
/// nothing that is sent afterwards.
@Suite(.startsProcesses, .takesAProcessSlot) struct BrokerLossTests {
    @Test func evidenceSubmittedAfterTheBrokerRestartedIsAllApplied() async throws {
        try await Script.withInstance("pipebroker", starting: "start-broker") { instance in
            let brokers = try await Script.dev("broker-address", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            try await PipelineHarness.with(kafkaBrokers: brokers) { pipeline in
                let key = try await pipeline.registerAgency("feeds")
                let first = FamilyCorpus(count: 1).evidence
                // The same people (so the same keys, partitions and offsets), other records.
                let second = first.replacingOccurrences(of: #"{"id":""#, with: #"{"id":"R2-"#)
                try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {
                    try await pipeline.submit("evidence", lines: first, named: "first.jsonl", agency: "feeds", keyFile: key)
                    try await PipelineHarness.eventually("the first records held") {
                        try await pipeline.count("SELECT count(*) FROM unmatched_evidence") == 8
                    }
                    // And their receipts sent: what is lost with the broker is its offsets, not a message in flight.
                    try await PipelineHarness.eventually("the first receipts sent") {
                        try await pipeline.count("SELECT count(*) FROM outbox_event WHERE published_at IS NULL") == 0
                    }
                }
                // The services start again once the broker's topics are back, as
                // the deployment's topic job and orchestrator bring them (a
                // service that finds its topic missing stops, naming it).
                try await Script.dev("stop-broker", instance: instance)
                try await Script.dev("start-broker", instance: instance)
                try await PipelineHarness.createTopics(prefix: pipeline.prefix, kafka: pipeline.kafka)
                try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30") {
                    try await pipeline.submit("evidence", lines: second, named: "second.jsonl", agency: "feeds", keyFile: key)
                    try await PipelineHarness.eventually("the second records held too") {
                        try await pipeline.count("SELECT count(*) FROM unmatched_evidence") == 16
                    }
                }
            }
        }
    }
}
