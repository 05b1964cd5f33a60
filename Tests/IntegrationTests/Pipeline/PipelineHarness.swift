import Contracts
import Foundation
import IntegrationSupport
import Kafka
import Postgres
import Store
import Synchronization

/// The pipeline as agencies, co-ordinators and operators run it: the three
/// service processes and the `turnaround` CLI, against the test servers, in
/// a schema and under a topic prefix of their own.
struct PipelineHarness {
    let pool: PostgresPool
    let kafka: KafkaConfiguration
    let environment: [String: String]
    let prefix: String
    let folder: URL
    /// What every CLI run and service process of the harness printed, in the order they ended.
    let transcript = Transcript()

    final class Transcript: Sendable {
        private let outputs = Mutex<[String]>([])
        func append(_ output: String) { outputs.withLock { $0.append(output) } }
        var all: [String] { outputs.withLock { $0 } }
    }

    static let binaries = TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug")
    static let samples = TestEnvironment.repositoryRoot.appendingPathComponent("samples")
    static let patience = Duration.seconds(90)

    /// - Parameter kafkaBrokers: a broker of the test's own, instead of the shared one.
    static func with(kafkaBrokers: String? = nil, _ body: (PipelineHarness) async throws -> Void) async throws {
        let url = try TestEnvironment.databaseURL()
        let kafka = try kafkaBrokers.map { KafkaConfiguration(brokers: [$0], clientID: "turnaround-tests") } ?? TestEnvironment.kafkaConfiguration()
        let prefix = TestEnvironment.uniqueName("pipeline") + "."
        try await createTopics(prefix: prefix, kafka: kafka)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(prefix + "files")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestEnvironment.withTestSchema(maxConnections: 2) { pool in
            try await MigrationRunner(pool: pool, logger: TestEnvironment.logger).applyBundled()
            let environment = [
                "DATABASE_URL": TestEnvironment.databaseURL(url, searchPath: pool.configuration.searchPath![0]),
                "KAFKA_BROKERS": kafka.brokers.joined(separator: ","),
                "TOPIC_PREFIX": prefix,
                "WORKER_SHUTDOWN_TIMEOUT_S": "20",
                // Families are decided a second after their events stop, and those
                // referred without evidence soon, not after a bulk load's windows.
                "SCREENING_SETTLE_MS": "1000",
                "SCREENING_EVIDENCE_WAIT_S": "1",
            ]
            try await body(PipelineHarness(pool: pool, kafka: kafka, environment: environment, prefix: prefix, folder: folder))
        }
    }

    /// Creates the pipeline's topics under `prefix` (again, after a broker lost them).
    static func createTopics(prefix: String, kafka: KafkaConfiguration) async throws {
        let admin = try KafkaAdmin(configuration: kafka, logger: TestEnvironment.logger)
        for topic in Topics(prefix: prefix).all {
            try await admin.createTopic(topic, partitions: 4)
            try await admin.createTopic(topic + ".dlq", partitions: 1)
        }
    }

    /// The environment the CLI runs in. It gives up on Kafka after its
    /// --timeout (10 s); a broker serving every suite at once can take longer
    /// to take a producer's first message.
    var cliEnvironment: [String: String] { environment.merging(["KAFKA_PROP_MESSAGE_TIMEOUT_MS": "60000"]) { own, _ in own } }

    /// The role a command works as: its users' (the README's table of
    /// commands), so every test runs each command with no more rights than
    /// they have. Nil for the schema's owner's commands (`migrate`, `agency`).
    static func role(of arguments: [String]) -> String? {
        switch (arguments.first ?? "", arguments.dropFirst().first ?? "") {
        case ("families", _), ("review", _), ("explain", _), ("rescreen", _), ("what-if", _), ("rulesets", _), ("attach", _), ("close", _),
            ("check", "decisions"):
            "turnaround_coordinator"
        case ("claims", "validate"), ("claims", "reject"), ("claims", "pack"), ("audit", "sample"), ("audit", "pass"), ("audit", "fail"):
            "turnaround_auditor"
        case ("claims", _), ("report", _), ("audit", "show"), ("check", "claims"):
            "turnaround_finance"
        case ("dlq", _):
            "turnaround_dead_letters"
        default:
            nil
        }
    }

    /// The harness's database, working as `role`.
    func databaseURL(as role: String) throws -> String {
        TestEnvironment.databaseURL(try TestEnvironment.databaseURL(), searchPath: pool.configuration.searchPath![0], role: role)
    }

    /// Runs the CLI to its end, as its command's role (``role(of:)``), in
    /// the harness's environment with `extra` added.
    /// - Returns: its exit status and what it printed (standard output and error).
    @discardableResult
    func cli(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        var environment = cliEnvironment
        if let role = Self.role(of: arguments) { environment["DATABASE_URL"] = try databaseURL(as: role) }
        let process = try await ChildProcess(
            Self.binaries.appendingPathComponent("turnaround").path, arguments, environment: environment.merging(extra) { $1 })
        let status = await process.waitForExit()
        transcript.append(process.output)
        return (status, process.output)
    }

    /// Registers an agency.
    /// - Returns: the path of its key file.
    func registerAgency(_ id: String) async throws -> String {
        let keyFile = folder.appendingPathComponent(id + ".key").path
        let result = try await cli(["agency", "add", id, "--name", id, "--key-file", keyFile])
        guard result.status == 0 else { throw Failure("agency add \(id): \(result.output)") }
        return keyFile
    }

    /// The headers an agency's key file signs `payload` with, as `submit` signs.
    static func signatureHeaders(_ payload: [UInt8], keyFile: String) throws -> [KafkaHeader] {
        let key = try AgencyKeyFileText.read(try String(contentsOfFile: keyFile, encoding: .utf8))
        return AgencySignature.headers(signing: payload, with: key.signer).map { KafkaHeader(name: $0.name, value: $0.value) }
    }

    /// A copy of an agency's key file that says it is `agency`'s, as someone
    /// holding one agency's key might try to send as another.
    func relabelledKeyFile(_ keyFile: String, as agency: String) throws -> String {
        let text = try String(contentsOfFile: keyFile, encoding: .utf8)
        let relabelled = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("agency: ") ? "agency: \(agency)" : String($0) }.joined(separator: "\n")
        return try file(named: "relabelled-\(agency)-" + URL(fileURLWithPath: keyFile).lastPathComponent, holding: relabelled)
    }

    func submit(_ kind: String, sample: String, agency: String, keyFile: String) async throws {
        try await submit(kind, file: Self.samples.appendingPathComponent(sample).path, agency: agency, keyFile: keyFile)
    }

    /// Writes `lines` as a file of the harness's and submits it.
    func submit(_ kind: String, lines: String, named name: String, agency: String, keyFile: String) async throws {
        try await submit(kind, file: try file(named: name, holding: lines), agency: agency, keyFile: keyFile)
    }

    /// Writes a file of the harness's and returns its path.
    func file(named name: String, holding text: String) throws -> String {
        let file = folder.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    private func submit(_ kind: String, file: String, agency: String, keyFile: String) async throws {
        let result = try await cli(["submit", kind, file, "--agency", agency, "--key-file", keyFile])
        guard result.status == 0 else { throw Failure("submit \(file): \(result.output)") }
    }

    /// How many events a stage's consumer group has applied (its inbox rows).
    func applied(by service: String) async throws -> Int {
        try await count("SELECT count(*) FROM inbox_event WHERE consumer = \(prefix + service)")
    }

    /// How many events the stages wrote for `topic` (published or waiting).
    func emitted(to topic: String) async throws -> Int {
        try await count("SELECT count(*) FROM outbox_event WHERE topic = \(prefix + topic)")
    }

    /// Runs intake, screening and claims while `body` runs, then stops them
    /// with SIGTERM and checks each exits cleanly. Screening decides as of
    /// `screeningAsOf`, claims measures as of `claimsAsOf`; `replicas` runs
    /// several processes of a stage, as `docker compose --scale` does;
    /// `ports` sets the ops port of a stage run once (the others take any free
    /// port); `settings` adds to or
    /// overrides the services' environment.
    /// - Returns: what each process printed, by stage.
    @discardableResult
    func withServices(
        screeningAsOf: String, claimsAsOf: String, replicas: [String: Int] = [:], ports: [String: UInt16] = [:],
        settings extra: [String: String] = [:], _ body: () async throws -> Void
    ) async throws -> [(stage: String, output: String)] {
        var services: [(stage: String, process: ChildProcess)] = []
        let startedAt = try await pool.withConnection { try $0.query("SELECT now()").decode(Date.self)[0] }
        let stages: [(String, String?)] = [("intake", nil), ("screening", screeningAsOf), ("claims", claimsAsOf)]
        for (service, asOf) in stages.flatMap({ stage in Array(repeating: stage, count: replicas[stage.0] ?? 1) }) {
            var settings = environment.merging(extra) { $1 }
            // Each stage works as its own role, as deployments run it: granted its tables alone.
            if extra["DATABASE_URL"] == nil {
                settings["DATABASE_URL"] = try databaseURL(as: "turnaround_" + service)
            }
            settings["WORKER_HTTP_PORT"] = String(ports[service] ?? 0)
            settings["AS_OF_DATE"] = asOf
            services.append((service, try await ChildProcess(Self.binaries.appendingPathComponent("turnaround-" + service).path, [], environment: settings)))
        }
        var failure: (any Error)?
        do {
            // Every process running (each reports its backlog once its services
            // run), so none is stopped before it can stop gracefully; a row a
            // test wrote itself, dated ahead, is no process of these.
            try await Self.eventually("every service running") {
                try await count("SELECT count(*) FROM consumer_backlog WHERE measured_at BETWEEN \(startedAt) AND now()") == services.count
            }
            try await body()
        } catch {
            // A service that ended early is the likeliest cause: say so.
            let ended = services.compactMap { service in
                service.process.exitStatus.map { "turnaround-\(service.stage) exited with status \($0):\n\(service.process.output)" }
            }
            failure = ended.isEmpty ? error : Failure("\(error)\n" + ended.joined(separator: "\n"))
        }
        var stopped: [String] = []
        for service in services {
            if await service.process.stopGracefully() != 0 { stopped.append(service.process.output) }
            transcript.append(service.process.output)
        }
        if let failure { throw failure }
        guard stopped.isEmpty else { throw Failure("a service did not stop cleanly: \(stopped)") }
        return services.map { ($0.stage, $0.process.output) }
    }

    /// The one number a query returns (a count, a sum); a query that returns no row fails the test rather than crashing it.
    func count(_ query: PostgresQuery) async throws -> Int {
        let values = try await pool.withConnection { try $0.query(query).decode(Int.self) }
        guard let value = values.first else { throw Failure("no row from \(query.sql)") }
        return value
    }

    func texts(_ query: PostgresQuery) async throws -> [String] {
        try await pool.withConnection { try $0.query(query).decode(String.self) }
    }

    /// Reads a topic from the start until `count` messages came.
    func consume(_ topic: String, count: Int) async throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(configuration: kafka, groupID: TestEnvironment.uniqueName("reader"), logger: TestEnvironment.logger)
        try await consumer.subscribe(to: [prefix + topic])
        var messages: [KafkaMessage] = []
        let deadline = ContinuousClock.now + Self.patience
        while messages.count < count, ContinuousClock.now < deadline {
            messages += try await consumer.poll(timeout: .milliseconds(300))
        }
        await consumer.close()
        return messages
    }

    /// Checks `condition` until it holds; fails after the harness's patience.
    static func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + patience
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw Failure("never happened: \(what)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Waits for work the stages get through bit by bit: the patience runs
    /// from the last time `progress` said something new, so slow progress on
    /// a loaded machine is waited for and a stage that stopped is not.
    static func eventually(_ what: String, progressing progress: () async throws -> (done: Bool, state: String)) async throws {
        var deadline = ContinuousClock.now + patience
        var last: String?
        while true {
            let (done, state) = try await progress()
            if done { return }
            if state != last {
                last = state
                deadline = ContinuousClock.now + patience
            }
            guard ContinuousClock.now < deadline else { throw Failure("never happened: \(what) (still at \(state))") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
