import Contracts
import Digest
import Foundation
import IntegrationSupport
import Testing

/// Keys and passwords are read from files and the environment and go no
/// further: no log line, help text or error of a whole run holds one.
@Suite(.startsProcesses, .takesAProcessSlot) struct SecretsTests {
    @Test func noSecretIsInAnyLineAFullRunPrints() async throws {
        try await PipelineHarness.with { pipeline in
            let saslPassword = "sasl-" + UUID().uuidString
            var keys: [String: String] = [:]
            for agency in PipelineTests.sampleAgencies { keys[agency] = try await pipeline.registerAgency(agency) }
            try await pipeline.withServices(
                screeningAsOf: "2013-09-01", claimsAsOf: "2014-09-30",
                // The most a process says, and a Kafka password it is given but the local broker does not ask for.
                settings: ["LOG_LEVEL": "trace", "KAFKA_PROP_SASL_PASSWORD": saslPassword, "KAFKA_PROP_SASL_USERNAME": "turnaround"]
            ) {
                for agency in ["police", "school"] {
                    try await pipeline.submit("referrals", sample: agency + "-referrals.jsonl", agency: agency, keyFile: keys[agency]!)
                }
                for agency in PipelineTests.sampleAgencies {
                    try await pipeline.submit("evidence", sample: agency + "-evidence.jsonl", agency: agency, keyFile: keys[agency]!)
                }
                try await PipelineHarness.eventually("three families eligible") {
                    try await pipeline.cli(["families", "--eligible", "--ids-only"]).output.split(separator: "\n").count == 3
                }
                let families = try await pipeline.cli(["families", "--eligible", "--ids-only"]).output.split(separator: "\n").map(String.init)
                for family in families {
                    #expect(try await pipeline.cli(["attach", family, "--on", "2013-09-16", "--keyworker", "kw-17", "--by", "coord-2"]).status == 0)
                }
                try await pipeline.submit("evidence", sample: "outcome-evidence.jsonl", agency: "dwp", keyFile: keys["dwp"]!)
                try await PipelineHarness.eventually("a result claimed") {
                    try await pipeline.count("SELECT count(*) FROM result_claim WHERE payment = 'C'") == 1
                }
                #expect(try await pipeline.cli(["receipts", "--agency", "police", "--key-file", keys["police"]!]).status == 0)
                #expect(try await pipeline.cli(["claims"]).status == 0)
                #expect(try await pipeline.cli(["check", "connectivity"]).status == 0)
            }
            // Help texts, and the errors of a database that refuses the password or is not there.
            for arguments in [["--help"], ["submit", "referrals", "--help"], ["agency", "keys", "add", "--help"], ["receipts", "--help"]] {
                try await pipeline.cli(arguments)
            }
            var url = try #require(URLComponents(string: try TestEnvironment.databaseURL()))
            let password = try #require(url.password)
            url.password = "wrong-" + password
            let wrongPassword = try await pipeline.cli(["families"], environment: ["DATABASE_URL": try #require(url.string)])
            #expect(wrongPassword.status != 0 && wrongPassword.output.contains("password authentication failed"), "\(wrongPassword.output)")
            url.port = 1
            let nowhere = try await pipeline.cli(["families"], environment: ["DATABASE_URL": try #require(url.string)])
            #expect(nowhere.status != 0, "\(nowhere.output)")

            var secrets = ["the database password": password, "the wrong database password": "wrong-" + password, "the Kafka password": saslPassword]
            for (agency, keyFile) in keys {
                guard case .ed25519(_, let privateKey) = try AgencyKeyFileText.read(try String(contentsOfFile: keyFile, encoding: .utf8)).signer else {
                    throw PipelineHarness.Failure("no Ed25519 key for \(agency)")
                }
                secrets["\(agency)'s private key"] = Hex.encode(privateKey)
                secrets["\(agency)'s private key, base64"] = Data(privateKey).base64EncodedString()
            }
            let lines = pipeline.transcript.all.flatMap { $0.split(separator: "\n") }
            #expect(lines.contains { $0.contains(" debug turnaround.intake: ") }, "the services logged at their most detailed")
            for (name, secret) in secrets {
                let holding = lines.filter { $0.contains(secret) }
                #expect(holding.isEmpty, "\(name) in: \(holding.prefix(3))")
            }
        }
    }
}
