import Foundation
import IntegrationSupport
import Testing

/// `/readyz` says whether the worker can make progress now, each check with
/// a timeout, and why not.
@Suite(.startsProcesses, .takesAProcessSlot) struct ReadinessTests {
    static func readiness(_ port: UInt16) async -> (status: Int, body: String)? {
        await LocalHTTP.get(port: port, path: "/readyz")
    }

    /// `turnaround_ready` as a scrape of `/metrics` gives it.
    static func readyGauge(_ port: UInt16) async -> Double? {
        await LocalHTTP.get(port: port, path: "/metrics")?.body.split(separator: "\n")
            .first { $0.hasPrefix("turnaround_ready{") }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    static func eventuallyReady(_ port: UInt16) async throws {
        try await WorkerHarness.eventually { await readiness(port)?.status == 200 }
    }

    /// Waits until readiness fails, and returns the reason it gives.
    static func eventuallyNotReady(_ port: UInt16) async throws -> String {
        var reason = ""
        try await WorkerHarness.eventually {
            guard let answer = await readiness(port), answer.status == 503 else { return false }
            reason = answer.body
            return true
        }
        return reason
    }

    @Test func notReadyWhileNoBrokerAnswers() async throws {
        try await Script.withInstance("readybroker", starting: "start-broker") { instance in
            let brokers = try await Script.dev("broker-address", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            try await WorkerHarness.with(kafkaBrokers: brokers) { harness in
                let port = try LocalHTTP.freePort()
                let worker = try await WorkerProcessTests.start(harness, httpPort: port)
                try await Self.eventuallyReady(port)
                #expect(await Self.readyGauge(port) == 1)
                try await Script.dev("stop-broker", instance: instance)
                #expect(try await Self.eventuallyNotReady(port).contains("no Kafka broker answers"))
                // A scrape checks readiness itself: Prometheus needs no probe to see it.
                #expect(await Self.readyGauge(port) == 0)
                try await Script.dev("start-broker", instance: instance)
                try await Self.eventuallyReady(port)
                #expect(await Self.readyGauge(port) == 1)
                #expect(await worker.stopGracefully() == 0, "\(worker.output)")
            }
        }
    }

    @Test func notReadyWhilePostgresIsDownOrHung() async throws {
        try await Script.withInstance("readypg", starting: "start-postgres", cleanUp: ["unhang-postgres"]) { instance in
            let url = try await Script.dev("database-url", instance: instance).trimmingCharacters(in: .whitespacesAndNewlines)
            try await WorkerHarness.with(databaseURL: url) { harness in
                let port = try LocalHTTP.freePort()
                let worker = try await WorkerProcessTests.start(harness, httpPort: port)
                try await Self.eventuallyReady(port)

                try await Script.dev("stop-postgres", instance: instance)
                #expect(try await Self.eventuallyNotReady(port).contains("postgres does not answer"))
                try await Script.dev("start-postgres", instance: instance)
                try await Self.eventuallyReady(port)

                // A hung server answers nothing at all: the check's timeout answers for it.
                try await Script.dev("hang-postgres", instance: instance)
                let hung = try await Self.eventuallyNotReady(port)
                try await Script.dev("unhang-postgres", instance: instance)
                #expect(hung.contains("postgres does not answer within"))
                try await Self.eventuallyReady(port)
                #expect(await worker.stopGracefully() == 0, "\(worker.output)")
            }
        }
    }

    @Test func aDrainThatTimesOutIsLoggedAsAnErrorAndExitsNonZero() async throws {
        try await WorkerHarness.with(partitions: 1) { harness in
            // Each batch of 100 takes 4 s, and the drain may take 1 s.
            let worker = try await WorkerProcessTests.start(harness, applyDelayMs: 4000, shutdownTimeoutSeconds: 1)
            try await harness.produce(WorkerProcessTests.values(0..<300))
            try await WorkerHarness.eventually { try await harness.effects().count >= 100 }
            worker.signal(SIGTERM)
            #expect(await worker.waitForExit() != 0)
            #expect(worker.output.contains("error"), "\(worker.output)")
            #expect(worker.output.contains("graceful shutdown timed out"), "\(worker.output)")
        }
    }

    @Test func notReadyWhileDrainingForShutdown() async throws {
        try await WorkerHarness.with(partitions: 1) { harness in
            let port = try LocalHTTP.freePort()
            // Each batch of 100 takes 3 s: the drain outlasts several probes.
            let worker = try await WorkerProcessTests.start(harness, applyDelayMs: 3000, httpPort: port)
            try await Self.eventuallyReady(port)
            try await harness.produce(WorkerProcessTests.values(0..<300))
            try await WorkerHarness.eventually { try await harness.effects().count >= 100 }
            worker.signal(SIGTERM)
            // On a loaded machine a slow check may answer first; draining must follow.
            try await WorkerHarness.eventually {
                guard let answer = await Self.readiness(port) else { return false }
                return answer.status == 503 && answer.body.contains("draining")
            }
            #expect(await worker.waitForExit() == 0, "\(worker.output)")
        }
    }
}
