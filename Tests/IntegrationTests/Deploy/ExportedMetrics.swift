import Foundation
import IntegrationSupport

/// What the three stages export at `/metrics`, scraped from the real
/// processes once they have applied batches (the batch histograms and the
/// lag of held partitions appear only then), and what that tells of each
/// stage's consumer group and topics.
struct ExportedMetrics: Sendable {
    /// Each stage's scrape, by stage.
    let scrapes: [String: String]
    /// The topic prefix the processes ran under, taken off names below.
    let prefix: String

    /// Scraped once, for every test that needs them: the services start,
    /// work through the police's sample referrals, are scraped and stop.
    static let shared = Task { try await scrape() }

    /// The name of every sample in every stage's scrape (a histogram's
    /// `_bucket`, `_sum` and `_count` each).
    var sampleNames: Set<String> {
        Set(scrapes.values.flatMap { Self.samples(of: $0).map(\.name) })
    }

    /// A stage's consumer group, as its series' `service` label gives it (prefix removed).
    func consumerGroup(of stage: String) throws -> String {
        let groups = Set(Self.samples(of: try scrape(of: stage)).compactMap { $0.labels["service"] })
        guard groups.count == 1, let group = groups.first, group.hasPrefix(prefix) else {
            throw DeployTools.Failure("\(stage) exports the services \(groups.sorted()), not one under \(prefix)")
        }
        return String(group.dropFirst(prefix.count))
    }

    /// The topics a stage consumes: those of its `turnaround_events_processed_total`,
    /// which it exports at 0 for each from the start (prefix removed).
    func consumedTopics(of stage: String) throws -> Set<String> {
        let topics = Self.samples(of: try scrape(of: stage))
            .filter { $0.name == "turnaround_events_processed_total" }
            .compactMap { $0.labels["topic"] }
        return Set(topics.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
    }

    private func scrape(of stage: String) throws -> String {
        guard let scrape = scrapes[stage] else { throw DeployTools.Failure("no scrape of \(stage)") }
        return scrape
    }

    /// The samples of a Prometheus text exposition: name and labels.
    static func samples(of scrape: String) -> [(name: String, labels: [String: String])] {
        scrape.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line in
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            var labels: [String: String] = [:]
            if let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") {
                // Label values here are names (services, topics, tables, versions): no escaped quotes or commas.
                for pair in line[line.index(after: open)..<close].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { labels[String(parts[0])] = String(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
                }
            }
            return (name, labels)
        }
    }

    private static func scrape() async throws -> ExportedMetrics {
        var scrapes: [String: String] = [:]
        var prefix = ""
        try await PipelineHarness.with { pipeline in
            prefix = pipeline.prefix
            let police = try await pipeline.registerAgency("police")
            let ports = Dictionary(uniqueKeysWithValues: try DeployTools.stages.map { ($0, try LocalHTTP.freePort()) })
            try await pipeline.withServices(screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30", ports: ports) {
                try await pipeline.submit("referrals", sample: "police-referrals.jsonl", agency: "police", keyFile: police)
                // Screening decides the families referred (no evidence: after a second), and claims applies those decisions.
                try await PipelineHarness.eventually("claims applied the decisions") { try await pipeline.applied(by: "claims") > 0 }
                for (stage, port) in ports {
                    try await PipelineHarness.eventually("\(stage) exports its batches and its partitions' lag") {
                        guard let scrape = await LocalHTTP.get(port: port, path: "/metrics"), scrape.status == 200 else { return false }
                        scrapes[stage] = scrape.body
                        return scrape.body.contains("turnaround_batch_duration_seconds_bucket") && scrape.body.contains("turnaround_consumer_lag{")
                    }
                }
            }
        }
        return ExportedMetrics(scrapes: scrapes, prefix: prefix)
    }
}
