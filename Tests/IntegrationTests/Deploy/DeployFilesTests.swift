import Foundation
import IntegrationSupport
import Testing

/// The operators' deployment files, each through a real checker: the
/// Kubernetes manifests as `kubectl kustomize` renders them (kubernetes-validate
/// for the core kinds, KEDA's CRD schema for the ScaledObjects), the alert
/// rules through promtool, and every query of the dashboard and the alerts
/// against what the real stages export.
@Suite(.startsProcesses, .takesAProcessSlot) struct DeployFilesTests {
    static let kedaSchema = DeployTools.deploy.appendingPathComponent("k8s/schemas/keda-scaledobject-v1alpha1.json").path
    static let alertRules = DeployTools.deploy.appendingPathComponent("prometheus/turnaround-alerts.yml").path
    static let alertTests = DeployTools.deploy.appendingPathComponent("prometheus/turnaround-alerts.test.yml").path
    static let dashboard = DeployTools.deploy.appendingPathComponent("grafana/turnaround.json")

    // MARK: Kubernetes

    @Test(arguments: DeployTools.kustomizations)
    func everyCoreKindPassesKubernetesValidateStrictly(kustomization: String) async throws {
        let rendered = try await DeployTools.render(kustomization)
        let documents = try await DeployTools.documents(ofYAML: rendered)
        let core = documents.filter { $0.kind != "ScaledObject" }
        let file = try DeployTools.temporaryFile("yaml", holding: rendered)
        defer { try? FileManager.default.removeItem(at: file) }
        // --strict: an unknown field fails. An unknown kind only warns, so each
        // core document must be one it passed, and KEDA's its only warnings.
        let checked = try await DeployTools.run(try DeployTools.venvProgram("kubernetes-validate"), ["--strict", file.path])
        #expect(checked.status == 0, "\(checked.output)")
        let lines = checked.output.split(separator: "\n")
        #expect(lines.filter { $0.contains(" passed for resource ") }.count == core.count, "\(checked.output)")
        #expect(lines.filter { $0.hasPrefix("WARN") }.allSatisfy { $0.contains("kind ScaledObject with api version keda.sh/v1alpha1") }, "\(checked.output)")
        #expect(core.count >= 8, "a ConfigMap, a Job, and a Deployment and a PodDisruptionBudget per stage")
    }

    @Test(arguments: DeployTools.kustomizations)
    func everyScaledObjectPassesKEDAsSchema(kustomization: String) async throws {
        let scaledObjects = try await DeployTools.documents(ofYAML: DeployTools.render(kustomization)).filter { $0.kind == "ScaledObject" }
        #expect(scaledObjects.count == DeployTools.stages.count)
        var files: [URL] = []
        defer { for file in files { try? FileManager.default.removeItem(at: file) } }
        for scaledObject in scaledObjects {
            let json = String(decoding: try JSONSerialization.data(withJSONObject: scaledObject), as: UTF8.self)
            files.append(try DeployTools.temporaryFile("json", holding: json))
        }
        let checked = try await DeployTools.run(
            try DeployTools.venvProgram("check-jsonschema"), ["--schemafile", Self.kedaSchema] + files.map(\.path))
        #expect(checked.status == 0, "\(checked.output)")
    }

    /// The schema is no empty check: a field KEDA does not know, or a trigger
    /// without its metadata, fails.
    @Test func kedasSchemaRefusesAnUnknownFieldAndAMissingOne() async throws {
        let scaledObject = try #require(
            try await DeployTools.documents(ofYAMLFile: "k8s/base/scaledobjects.yaml").first { $0.kind == "ScaledObject" })
        var misspelt = scaledObject
        var spec = try #require(misspelt.object("spec"))
        spec["minReplicas"] = spec.removeValue(forKey: "minReplicaCount")
        misspelt["spec"] = spec
        var bare = scaledObject
        var bareSpec = try #require(bare.object("spec"))
        bareSpec["triggers"] = [["type": "kafka"]]
        bare["spec"] = bareSpec
        for (broken, problem) in [(misspelt, "minReplicas"), (bare, "metadata")] {
            let file = try DeployTools.temporaryFile("json", holding: String(decoding: try JSONSerialization.data(withJSONObject: broken), as: UTF8.self))
            defer { try? FileManager.default.removeItem(at: file) }
            let checked = try await DeployTools.run(try DeployTools.venvProgram("check-jsonschema"), ["--schemafile", Self.kedaSchema, file.path])
            #expect(checked.status != 0 && checked.output.contains(problem), "\(checked.output)")
        }
    }

    @Test(arguments: DeployTools.kustomizations)
    func eachStageRunsWithProbesResourcesABudgetAndItsSecretByReference(kustomization: String) async throws {
        let documents = try await DeployTools.documents(ofYAML: DeployTools.render(kustomization))
        let settings = try #require(documents.first { $0.kind == "ConfigMap" && $0.name == "turnaround-settings" }?.object("data"))
        #expect(!documents.contains { $0.kind == "Secret" }, "secrets are referenced, never written in the manifests")
        #expect(!documents.contains { $0.kind == "CronJob" }, "claims sweeps in process (CLAIMS_SWEEP_INTERVAL_S)")
        #expect(settings["DATABASE_URL"] == nil)
        #expect(settings["CLAIMS_SWEEP_INTERVAL_S"] != nil)
        let shutdownTimeout = Int(settings["WORKER_SHUTDOWN_TIMEOUT_S"] as? String ?? "30") ?? 30

        for stage in DeployTools.stages {
            let deployment = try #require(documents.first { $0.kind == "Deployment" && $0.name == "turnaround-\(stage)" }, "\(stage)")
            let pod = try #require(deployment.object(at: ["spec", "template", "spec"]))
            let container = try #require(pod.objects("containers").first)
            #expect(container["command"] as? [String] == ["turnaround-\(stage)"])
            #expect(container.string("image")?.hasPrefix("turnaround:") == true, "the image docker-compose.yml uses")
            let env = container.objects("env")
            let port = Int(env.first { $0.string("name") == "WORKER_HTTP_PORT" }?.string("value") ?? "8080")
            let http = container.objects("ports").first { $0.string("name") == "http" }
            #expect(http?.int("containerPort") == port, "\(stage): the probes' port is WORKER_HTTP_PORT")
            #expect(container.object(at: ["livenessProbe", "httpGet"])?.string("path") == "/healthz", "\(stage)")
            #expect(container.object(at: ["readinessProbe", "httpGet"])?.string("path") == "/readyz", "\(stage)")
            for probe in ["livenessProbe", "readinessProbe"] {
                #expect(container.object(at: [probe, "httpGet"])?.string("port") == "http", "\(stage) \(probe)")
            }
            #expect(Self.isSecretReference(env, "DATABASE_URL"), "\(stage): DATABASE_URL from a Secret")
            let requested = try #require(Self.mebibytes(container.object(at: ["resources", "requests"])?.string("memory")), "\(stage)")
            let limited = try #require(Self.mebibytes(container.object(at: ["resources", "limits"])?.string("memory")), "\(stage)")
            #expect(requested > 0 && requested <= limited, "\(stage)")
            #expect(try #require(pod.int("terminationGracePeriodSeconds")) > shutdownTimeout, "\(stage): a drain is never cut short")

            let labels = try #require(deployment.object(at: ["spec", "template", "metadata", "labels"]))
            let budget = try #require(documents.first { $0.kind == "PodDisruptionBudget" && $0.name == "turnaround-\(stage)" }, "\(stage)")
            let selected = try #require(budget.object(at: ["spec", "selector", "matchLabels"]))
            #expect(!selected.isEmpty && selected.allSatisfy { labels[$0.key] as? String == $0.value as? String }, "\(stage)")
        }

        let migrate = try #require(documents.first { $0.kind == "Job" && $0.name == "turnaround-migrate" })
        let migrator = try #require(migrate.object(at: ["spec", "template", "spec"])?.objects("containers").first)
        #expect(migrator["args"] as? [String] == ["migrate"])
        #expect(migrator["command"] == nil, "the image's entrypoint is `turnaround`")
        #expect(Self.isSecretReference(migrator.objects("env"), "DATABASE_URL"))
    }

    @Test(arguments: DeployTools.kustomizations)
    func eachScaledObjectScalesItsStageOnItsGroupsLagUpToItsPartitions(kustomization: String) async throws {
        let exported = try await ExportedMetrics.shared.value
        let partitions = try DeployTools.partitions()
        let documents = try await DeployTools.documents(ofYAML: DeployTools.render(kustomization))
        let brokers = documents.first { $0.kind == "ConfigMap" && $0.name == "turnaround-settings" }?.object("data")?.string("KAFKA_BROKERS")
        for stage in DeployTools.stages {
            let group = try exported.consumerGroup(of: stage)
            let topics = try exported.consumedTopics(of: stage)
            #expect(!topics.isEmpty, "\(stage)")
            let scaledObject = try #require(documents.first { $0.kind == "ScaledObject" && $0.name == "turnaround-\(stage)" }, "\(stage)")
            let spec = try #require(scaledObject.object("spec"))
            #expect(spec.object("scaleTargetRef")?.string("name") == "turnaround-\(stage)")
            #expect(spec.object("scaleTargetRef")?.string("kind") == "Deployment")
            let triggers = spec.objects("triggers")
            #expect(triggers.allSatisfy { $0.string("type") == "kafka" }, "\(stage)")
            let metadata = triggers.compactMap { $0.object("metadata") }
            #expect(metadata.count == triggers.count)
            #expect(metadata.allSatisfy { $0.string("consumerGroup") == group }, "\(stage): consumer group \(group)")
            #expect(metadata.allSatisfy { $0.string("bootstrapServers") == brokers }, "\(stage): bootstrap servers as KAFKA_BROKERS")
            let triggerTopics = metadata.compactMap { $0.string("topic") }
            #expect(Set(triggerTopics) == topics && triggerTopics.count == topics.count, "\(stage) consumes \(topics.sorted())")
            let partitionCount = try #require(topics.map { partitions[$0] ?? 0 }.min())
            #expect(spec.int("minReplicaCount") == 1, "\(stage)")
            let most = try #require(spec.int("maxReplicaCount"), "\(stage)")
            if kustomization == "deploy/k8s/base" {
                #expect(most == partitionCount, "\(stage): up to its topics' \(partitionCount) partitions")
            } else {
                #expect((1...partitionCount).contains(most), "\(stage)")
            }
        }
    }

    // MARK: Alerts

    @Test func promtoolAcceptsTheAlertRules() async throws {
        let checked = try await DeployTools.run("promtool", ["check", "rules", Self.alertRules])
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("SUCCESS"), "\(checked.output)")
    }

    @Test func theAlertsFireAsTheirUnitTestsSay() async throws {
        let tested = try await DeployTools.run("promtool", ["test", "rules", Self.alertTests])
        #expect(tested.status == 0, "\(tested.output)")
    }

    @Test func theAlertsCoverDeadLettersTheOutboxLagAndStagesDown() async throws {
        let expressions = try await Self.alertExpressions()
        for (alert, metric) in [
            ("TurnaroundDeadLetters", "turnaround_events_dead_lettered_total"),
            ("TurnaroundOutboxStuck", "turnaround_outbox_oldest_age_seconds"),
            ("TurnaroundConsumerLagGrowing", "turnaround_consumer_lag"),
            ("TurnaroundStageDown", "up"),
        ] {
            let expression = try #require(expressions[alert], "\(alert)")
            #expect(PromQLNames.metricNames(in: expression).contains(metric), "\(alert)")
        }
    }

    /// `up` is Prometheus's own, one for every target it scrapes: no worker
    /// exports it, and none exports whether it is ready.
    @Test func everyAlertNamesOnlyMetricsTheStagesExport() async throws {
        let exported = try await ExportedMetrics.shared.value.sampleNames.union(["up"])
        for (alert, expression) in try await Self.alertExpressions() {
            let names = PromQLNames.metricNames(in: expression)
            #expect(!names.isEmpty, "\(alert): \(expression)")
            #expect(names.subtracting(exported).isEmpty, "\(alert) reads \(names.subtracting(exported).sorted()), which no stage exports")
        }
    }

    // MARK: Dashboard

    @Test func everyDashboardQueryNamesOnlyMetricsTheStagesExport() async throws {
        let exported = try await ExportedMetrics.shared.value.sampleNames
        let queries = try Self.dashboardQueries()
        #expect(queries.count >= 20)
        for (panel, expression) in queries {
            let names = PromQLNames.metricNames(in: expression)
            #expect(!names.isEmpty, "\(panel): \(expression)")
            #expect(names.subtracting(exported).isEmpty, "\(panel) reads \(names.subtracting(exported).sorted()), which no stage exports")
        }
        // The stage picker's label_values(metric, label).
        let dashboard = try Self.dashboardJSON()
        for variable in dashboard.object("templating")?.objects("list") ?? [] {
            guard let definition = variable.string("definition") else { continue }
            let metric = try #require(definition.firstMatch(of: /label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/)?.1, "\(definition)")
            #expect(exported.contains(String(metric)), "\(definition)")
        }
    }

    @Test func theDashboardShowsWhatOperatorsWatch() throws {
        let read = Set(try Self.dashboardQueries().flatMap { PromQLNames.metricNames(in: $0.expression) })
        for metric in [
            "turnaround_events_processed_total", "turnaround_consumer_lag", "turnaround_batch_duration_seconds_bucket",
            "turnaround_events_dead_lettered_total", "turnaround_batch_retries_total", "turnaround_outbox_backlog",
            "turnaround_outbox_oldest_age_seconds", "process_resident_memory_bytes",
        ] {
            #expect(read.contains(metric), "no panel shows \(metric)")
        }
        let panels = try Self.dashboardJSON().objects("panels")
        let ids = panels.compactMap { $0.int("id") }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "every panel has an id of its own")
    }

    @Test func theMetricNameReaderSkipsFunctionsLabelsRangesAndVariables() {
        #expect(
            PromQLNames.metricNames(
                in: #"histogram_quantile(0.95, sum by (service, le) (rate(turnaround_batch_duration_seconds_bucket{service=~"$service"}[$__rate_interval])))"#)
                == ["turnaround_batch_duration_seconds_bucket"])
        #expect(
            PromQLNames.metricNames(in: #"(sum by (service) (a_total) > 1e3) and deriv((sum without (pod) (b))[10m:1m]) > 0 or absent(up{job="x"})"#)
                == ["a_total", "b", "up"])
        #expect(PromQLNames.metricNames(in: "x / on (pod) group_left (version) y offset 5m") == ["x", "y"])
    }

    // MARK: Reading the files

    private static func alertExpressions() async throws -> [String: String] {
        let documents = try await DeployTools.documents(ofYAMLFile: "prometheus/turnaround-alerts.yml")
        let rules = try #require(documents.first).objects("groups").flatMap { $0.objects("rules") }
        #expect(!rules.isEmpty)
        var expressions: [String: String] = [:]
        for rule in rules {
            let alert = try #require(rule.string("alert"))
            let expression: String = try #require(rule.string("expr"), "\(alert)")
            expressions[alert] = expression
        }
        return expressions
    }

    private static func dashboardJSON() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any])
    }

    /// Every panel's queries, rows' nested panels included.
    private static func dashboardQueries() throws -> [(panel: String, expression: String)] {
        var queries: [(String, String)] = []
        func visit(_ panels: [[String: Any]]) {
            for panel in panels {
                for target in panel.objects("targets") {
                    queries.append((panel.string("title") ?? "?", target.string("expr") ?? ""))
                }
                visit(panel.objects("panels"))
            }
        }
        visit(try dashboardJSON().objects("panels"))
        return queries
    }

    private static func isSecretReference(_ env: [[String: Any]], _ name: String) -> Bool {
        guard let variable = env.first(where: { $0.string("name") == name }) else { return false }
        return variable["value"] == nil && variable.object(at: ["valueFrom", "secretKeyRef"])?.string("key") != nil
    }

    /// A memory quantity in Mi or Gi, in mebibytes.
    private static func mebibytes(_ quantity: String?) -> Int? {
        guard let quantity else { return nil }
        if quantity.hasSuffix("Mi") { return Int(quantity.dropLast(2)) }
        if quantity.hasSuffix("Gi") { return Int(quantity.dropLast(2)).map { $0 * 1024 } }
        return nil
    }
}
