import Foundation
import IntegrationSupport

/// The checkers of the deployment files, as `scripts/dev test` installs them:
/// kubectl (kustomize), promtool, and kubernetes-validate, check-jsonschema and
/// PyYAML in the project's venv.
enum DeployTools {
    static let root = TestEnvironment.repositoryRoot
    static let deploy = root.appendingPathComponent("deploy")
    static let venv = root.appendingPathComponent(".run/venv/bin")

    /// The kustomizations an operator applies: the base and each overlay.
    static let kustomizations = ["deploy/k8s/base", "deploy/k8s/overlays/single-node"]

    /// The pipeline's stages, each a Deployment, a disruption budget and a ScaledObject.
    static let stages = ["intake", "screening", "claims"]

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// What a checker printed (standard output and error) and its exit status.
    struct Outcome {
        let status: Int32
        let output: String
    }

    /// Runs `program` (a path, or a name found on `PATH`) to its end.
    /// - Parameter capturesStandardError: false keeps standard error out of
    ///   the output (kubectl's warnings are no part of the YAML it renders).
    static func run(_ program: String, _ arguments: [String], capturesStandardError: Bool = true) async throws -> Outcome {
        let path = try program.hasPrefix("/") ? program : onPath(program)
        let process = try await ChildProcess(path, arguments, environment: [:], capturesStandardError: capturesStandardError)
        let status = await process.waitForExit()
        defer { try? FileManager.default.removeItem(atPath: process.logPath) }
        return Outcome(status: status, output: process.output)
    }

    /// A program of the project's venv, or the reason the test cannot run.
    static func venvProgram(_ name: String) throws -> String {
        let path = venv.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure("\(path) is missing: scripts/dev test installs it")
        }
        return path
    }

    private static func onPath(_ name: String) throws -> String {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        guard let found = folders.map({ "\($0)/\(name)" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Failure("\(name) is not on PATH: scripts/dev test installs it")
        }
        return found
    }

    /// `kubectl kustomize` of a kustomization, as YAML.
    static func render(_ kustomization: String) async throws -> String {
        let rendered = try await run("kubectl", ["kustomize", root.appendingPathComponent(kustomization).path], capturesStandardError: false)
        guard rendered.status == 0, !rendered.output.isEmpty else {
            throw Failure("kubectl kustomize \(kustomization) exited \(rendered.status): \(rendered.output)")
        }
        return rendered.output
    }

    /// The documents of a YAML stream, read by PyYAML's safe loader (empty ones left out).
    static func documents(ofYAML yaml: String) async throws -> [[String: Any]] {
        let file = try temporaryFile("yaml", holding: yaml)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = "import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None], sys.stdout)"
        let read = try await run(try venvProgram("python"), ["-c", script, file.path], capturesStandardError: false)
        guard read.status == 0, let documents = try JSONSerialization.jsonObject(with: Data(read.output.utf8)) as? [[String: Any]] else {
            throw Failure("PyYAML could not read the YAML (exit \(read.status)): \(read.output)")
        }
        return documents
    }

    static func documents(ofYAMLFile path: String) async throws -> [[String: Any]] {
        try await documents(ofYAML: String(contentsOf: deploy.appendingPathComponent(path), encoding: .utf8))
    }

    /// A file of the test's own under the temp folder; the caller deletes it.
    static func temporaryFile(_ suffix: String, holding text: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("deploy") + "." + suffix)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Topics and their partition counts, as `deploy/topics` lists them.
    static func partitions() throws -> [String: Int] {
        let text = try String(contentsOf: deploy.appendingPathComponent("topics"), encoding: .utf8)
        var partitions: [String: Int] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let count = Int(fields[1]) else { throw Failure("deploy/topics: cannot read \(line)") }
            partitions[String(fields[0])] = count
        }
        return partitions
    }
}

/// Reading into the loosely typed documents PyYAML and JSONSerialization give.
extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func objects(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { self[key] as? Int }

    /// A value at a path of keys, e.g. `["spec", "template", "spec"]`.
    func object(at path: [String]) -> [String: Any]? {
        path.reduce(Optional(self)) { $0?.object($1) }
    }

    var kind: String { string("kind") ?? "" }
    var name: String { object("metadata")?.string("name") ?? "" }
}
