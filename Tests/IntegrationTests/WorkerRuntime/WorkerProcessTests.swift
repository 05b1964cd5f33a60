import Foundation
import IntegrationSupport
import Kafka
import Store
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The runtime as operators run it: worker processes, killed and restarted.
@Suite(.startsProcesses, .takesAProcessSlot) struct WorkerProcessTests {
    static let executable = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/turnaround-testworker").path

    static func start(
        _ harness: WorkerHarness, outputTopic: String? = nil, applyDelayMs: Int = 0, relay: Bool = true,
        httpPort: UInt16? = nil, shutdownTimeoutSeconds: Int = 20
    ) async throws -> ChildProcess {
        let schema = harness.pool.configuration.searchPath![0]
        var arguments = ["--service", harness.service, "--topic", harness.topic, "--apply-delay-ms", "\(applyDelayMs)", "--batch-size", "100"]
        if let outputTopic { arguments += ["--output-topic", outputTopic] }
        let process = try await ChildProcess(
            executable, arguments,
            environment: [
                "DATABASE_URL": TestEnvironment.databaseURL(harness.databaseURL, searchPath: schema),
                "KAFKA_BROKERS": harness.kafka.brokers.joined(separator: ","),
                "WORKER_RELAY": relay ? "on" : "off",
                "WORKER_SHUTDOWN_TIMEOUT_S": String(shutdownTimeoutSeconds),
                "WORKER_HTTP_PORT": String(try httpPort ?? LocalHTTP.freePort()),
            ])
        harness.processes.add(process)
        return process
    }

    static func values(_ range: Range<Int>) -> [String] { range.map { "event-\($0)" } }
    static func ids(_ range: Range<Int>) -> [String] { range.map { "id-\($0)" } }

    @Test func killedMidBatchAndRestartedAppliesEveryEventOnce() async throws {
        try await WorkerHarness.with { harness in
            try await harness.produce(Self.values(0..<2000), eventIDs: Self.ids(0..<2000))
            let slow = try await Self.start(harness, applyDelayMs: 300)
            try await WorkerHarness.eventually { try await harness.effects().count >= 300 }
            slow.signal(SIGKILL)
            #expect(await slow.waitForExit() == 128 + SIGKILL)

            let restarted = try await Self.start(harness)
            try await harness.waitUntilCommitted(2000)
            #expect(await restarted.stopGracefully() == 0, "\(restarted.output)")
            let effects = try await harness.effects()
            #expect(effects.count == 2000)
            #expect(Set(effects) == Set(Self.values(0..<2000)))
        }
    }

    @Test func killedBetweenCommitAndPublishPublishesOnceAfterRestart() async throws {
        let output = TestEnvironment.uniqueName("output")
        try await WorkerHarness.with(extraTopics: [output]) { harness in
            try await harness.produce(Self.values(0..<50))
            let unpublishing = try await Self.start(harness, outputTopic: output, relay: false)
            try await harness.waitUntilCommitted(50)
            unpublishing.signal(SIGKILL)
            await unpublishing.waitForExit()
            #expect(try await harness.pool.withConnection { try OutboxTable.backlog(stage: harness.service, on: $0).count } == 50)

            let restarted = try await Self.start(harness, outputTopic: output)
            try await WorkerHarness.eventually {
                try await harness.pool.withConnection { try OutboxTable.backlog(stage: harness.service, on: $0).count } == 0
            }
            #expect(await restarted.stopGracefully() == 0, "\(restarted.output)")
            let published = try await harness.consumeAll(output, count: 50)
            #expect(published.count == 50)
            #expect(Set(published.map(\.value)) == Set(Self.values(0..<50).map { Array($0.utf8) }))
        }
    }

    @Test func sigtermUnderLoadCommitsWhatItAppliedAndLosesNothing() async throws {
        try await WorkerHarness.with { harness in
            try await harness.produce(Self.values(0..<3000), eventIDs: Self.ids(0..<3000))
            let worker = try await Self.start(harness, applyDelayMs: 50)
            try await WorkerHarness.eventually { try await harness.effects().count >= 500 }
            #expect(await worker.stopGracefully() == 0, "\(worker.output)")
            // Every applied event is committed: nothing is left between Postgres and Kafka.
            let applied = try await harness.effects().count
            try await harness.waitUntilCommitted(applied)

            let restarted = try await Self.start(harness)
            try await harness.waitUntilCommitted(3000)
            #expect(await restarted.stopGracefully() == 0, "\(restarted.output)")
            let effects = try await harness.effects()
            #expect(effects.count == 3000)
            #expect(Set(effects).count == 3000)
        }
    }

    @Test func replicaJoiningAndLeavingMidStreamLosesAndRepeatsNothing() async throws {
        try await WorkerHarness.with(partitions: 8) { harness in
            let first = try await Self.start(harness, applyDelayMs: 20)
            try await harness.produce(Self.values(0..<1000), eventIDs: Self.ids(0..<1000))
            let second = try await Self.start(harness, applyDelayMs: 20)
            try await harness.produce(Self.values(1000..<2000), eventIDs: Self.ids(1000..<2000))
            try await WorkerHarness.eventually { try await harness.effects().count >= 1200 }
            #expect(await second.stopGracefully() == 0, "\(second.output)")
            try await harness.produce(Self.values(2000..<3000), eventIDs: Self.ids(2000..<3000))
            try await harness.waitUntilCommitted(3000)
            #expect(await first.stopGracefully() == 0, "\(first.output)")
            let effects = try await harness.effects()
            #expect(effects.count == 3000)
            #expect(Set(effects) == Set(Self.values(0..<3000)))
        }
    }

    @Test func opsPortReportsHealthReadinessAndMetrics() async throws {
        try await WorkerHarness.with { harness in
            let port = try LocalHTTP.freePort()
            let worker = try await Self.start(harness, httpPort: port)
            try await WorkerHarness.eventually { await LocalHTTP.get(port: port, path: "/healthz")?.status == 200 }
            try await WorkerHarness.eventually { await LocalHTTP.get(port: port, path: "/readyz")?.status == 200 }
            let labels = #"{service="\#(harness.service)",topic="\#(harness.topic)"}"#
            // Before any event: the counters an alert watches are there, at 0.
            let fresh = try #require(await LocalHTTP.get(port: port, path: "/metrics"))
            for counter in ["turnaround_events_processed_total", "turnaround_events_dead_lettered_total", "turnaround_events_duplicate_total"] {
                #expect(fresh.body.contains("\(counter)\(labels) 0"), "\(counter)")
            }
            #expect(fresh.body.contains("turnaround_outbox_relay_errors_total"))
            #expect(try await Promtool.complaints(about: fresh.body) == nil)
            try await harness.produce(Self.values(0..<40), eventIDs: Self.ids(0..<40))
            // The first event again, as a redelivery: same id, key and value.
            try await harness.produce(["event-0"], eventIDs: ["id-0"])
            try await harness.waitUntilCommitted(41)
            // Lag is measured every few seconds, not on each event: wait for its first report.
            try await WorkerHarness.eventually { await Self.lag(port) != nil }
            let metrics = try #require(await LocalHTTP.get(port: port, path: "/metrics"))
            #expect(await worker.stopGracefully() == 0, "\(worker.output)")
            #expect(metrics.status == 200)
            #expect(try await Promtool.complaints(about: metrics.body) == nil)
            #expect(metrics.body.contains("# HELP turnaround_events_processed_total "))
            #expect(metrics.body.contains("process_resident_memory_bytes"))
            #expect(metrics.body.contains("turnaround_build_info"))
            #expect(metrics.body.contains("turnaround_events_processed_total\(labels) 40"))
            #expect(metrics.body.contains("turnaround_events_duplicate_total\(labels) 1"))
            #expect(metrics.body.contains("turnaround_batch_duration_seconds"))
            #expect(metrics.body.contains("turnaround_consumer_lag"))
        }
    }

    @Test func postgresDownForTenSecondsUnderLoadLosesAndDeadLettersNothing() async throws {
        try await Script.withInstance("pgoutage", starting: "start-postgres") { instance in
            let url = try await Script.dev("database-url", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            try await WorkerHarness.with(databaseURL: url) { harness in
                try await harness.produce(Self.values(0..<3000), eventIDs: Self.ids(0..<3000))
                let worker = try await Self.start(harness, applyDelayMs: 20)
                try await WorkerHarness.eventually { try await harness.effects().count >= 300 }
                try await Script.dev("stop-postgres", instance: instance)
                // The outage under test, not a wait for something to happen.
                try await Task.sleep(for: .seconds(10))
                try await Script.dev("start-postgres", instance: instance)
                try await harness.waitUntilCommitted(3000)
                #expect(await worker.stopGracefully() == 0, "\(worker.output)")
                let effects = try await harness.effects()
                #expect(effects.count == 3000)
                #expect(Set(effects).count == 3000)
                #expect(try await harness.consumeAll(harness.topic + ".dlq", count: 0).isEmpty)
            }
        }
    }

    /// SIGTERM while the database is down, with batches in hand: the worker
    /// ends by itself, without waiting for the database, and commits nothing
    /// it did not apply; a worker started later applies every event once.
    @Test func sigtermWhilePostgresIsDownEndsWithinTheShutdownTimeoutAndLosesNothing() async throws {
        try await Script.withInstance("pgdownstop", starting: "start-postgres") { instance in
            let url = try await Script.dev("database-url", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            try await WorkerHarness.with(databaseURL: url) { harness in
                try await harness.produce(Self.values(0..<600), eventIDs: Self.ids(0..<600))
                // Each batch of 100 takes a second: batches are in hand when the database goes.
                let worker = try await Self.start(harness, applyDelayMs: 1000, shutdownTimeoutSeconds: 3)
                try await WorkerHarness.eventually { try await harness.effects().count >= 100 }
                try await Script.dev("stop-postgres", instance: instance)
                worker.signal(SIGTERM)
                // A watchdog ends the worker 30 s after the timeout if it has not ended by itself.
                let watchdog = Task {
                    try await Task.sleep(for: .seconds(33))
                    worker.signal(SIGKILL)
                }
                let status = await worker.waitForExit()
                watchdog.cancel()
                #expect(status != 128 + SIGKILL, "the worker was still running 30 s past its shutdown timeout:\n\(worker.output)")

                try await Script.dev("start-postgres", instance: instance)
                let restarted = try await Self.start(harness)
                try await harness.waitUntilCommitted(600)
                #expect(await restarted.stopGracefully() == 0, "\(restarted.output)")
                let effects = try await harness.effects()
                #expect(effects.count == 600 && Set(effects).count == 600)
            }
        }
    }

    @Test func lagIsExportedWhileMessagesWaitForADatabaseThatIsDown() async throws {
        try await Script.withInstance("pglag", starting: "start-postgres") { instance in
            let url = try await Script.dev("database-url", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            try await WorkerHarness.with(databaseURL: url) { harness in
                let port = try LocalHTTP.freePort()
                let worker = try await Self.start(harness, httpPort: port)
                try await harness.produce(Self.values(0..<10))
                // The test's own pool loses its connections with the server: a read that fails is tried again.
                try await WorkerHarness.eventually { (try? await harness.effects().count) == 10 }
                try await WorkerHarness.eventually { await Self.lag(port) == 0 }

                // Nothing can commit now, yet the waiting messages show.
                try await Script.dev("stop-postgres", instance: instance)
                try await harness.produce(Self.values(10..<25))
                try await WorkerHarness.eventually { await Self.lag(port) == 15 }

                try await Script.dev("start-postgres", instance: instance)
                try await WorkerHarness.eventually { (try? await harness.effects().count) == 25 }
                try await WorkerHarness.eventually { await Self.lag(port) == 0 }
                #expect(await worker.stopGracefully() == 0, "\(worker.output)")
            }
        }
    }

    /// The consumer lag a worker exports, summed over its partitions; nil when it does not answer or exports none.
    static func lag(_ port: UInt16) async -> Int? {
        guard let scrape = await LocalHTTP.get(port: port, path: "/metrics"), scrape.status == 200 else { return nil }
        let values = scrape.body.split(separator: "\n").filter { $0.hasPrefix("turnaround_consumer_lag{") }.compactMap { line in
            line.split(separator: " ").last.flatMap { Double($0) }
        }
        return values.isEmpty ? nil : Int(values.reduce(0, +))
    }
}
