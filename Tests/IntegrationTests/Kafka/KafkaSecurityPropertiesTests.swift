import Foundation
import IntegrationSupport
import Testing

/// Kafka's encryption and authentication are librdkafka's own properties,
/// passed through as `KAFKA_PROP_<NAME>` (the README's worked example). The
/// local broker listens in plaintext only, so what is tested here is that
/// they reach librdkafka and take effect, not a TLS session.
@Suite struct KafkaSecurityPropertiesTests {
    /// `turnaround check connectivity` with these properties, giving up on Kafka after `timeout` seconds.
    static func checkConnectivity(_ properties: [String: String], timeout: Int = 5) async throws -> (status: Int32, output: String) {
        let process = try await ChildProcess(
            TestEnvironment.repositoryRoot.appendingPathComponent(".build/debug/turnaround").path, ["check", "connectivity", "--timeout", "\(timeout)"],
            environment: properties.merging([
                "DATABASE_URL": try TestEnvironment.databaseURL(), "KAFKA_BROKERS": try TestEnvironment.kafkaConfiguration().brokers.joined(separator: ","),
            ]) { $1 })
        return (await process.waitForExit(), process.output)
    }

    @Test func tlsPropertiesReachLibrdkafkaAndAPlaintextBrokerIsNotTakenForATLSOne() async throws {
        // The same check in plaintext, given time on a broker every suite is using at once.
        let plain = try await Self.checkConnectivity([:], timeout: 90)
        #expect(plain.status == 0 && plain.output.contains("kafka:    ok"), "\(plain.output)")

        let missingCA = try await Self.checkConnectivity(["KAFKA_PROP_SECURITY_PROTOCOL": "ssl", "KAFKA_PROP_SSL_CA_LOCATION": "/nonexistent/ca.crt"])
        #expect(missingCA.status != 0 && missingCA.output.contains("kafka:    FAILED: KafkaError.clientCreation: ssl.ca.location failed"), "\(missingCA.output)")

        // A real CA, and a broker that answers in plaintext: no TLS session, so no connection.
        let caFile = try #require(URLComponents(string: try TestEnvironment.databaseURL())?.queryItems?.first { $0.name == "sslrootcert" }?.value)
        let tls = try await Self.checkConnectivity(["KAFKA_PROP_SECURITY_PROTOCOL": "ssl", "KAFKA_PROP_SSL_CA_LOCATION": caFile])
        #expect(tls.status != 0 && tls.output.contains("kafka:    FAILED"), "\(tls.output)")
    }
}
