import Foundation
import IntegrationSupport
import Postgres
import Testing

/// The embedded default encrypts every connection to PostgreSQL and checks
/// the server's certificate (`sslmode=verify-full`): signed by the instance's
/// own CA, for the host connected to.
@Suite struct PostgresTLSTests {
    /// The tests' database URL with some parameters changed.
    static func url(replacing changes: [String: String]) throws -> String {
        var components = try #require(URLComponents(string: try TestEnvironment.databaseURL()))
        var items = (components.queryItems ?? []).filter { changes[$0.name] == nil }
        items += changes.map { URLQueryItem(name: $0.key, value: $0.value) }
        components.queryItems = items
        return try #require(components.string)
    }

    /// Why connecting to `url` fails, or `nil` if it connects.
    static func refusal(connecting url: String) -> String? {
        do {
            _ = try PostgresConnection(configuration: PostgresConfiguration(url: url, maxConnections: 1))
            return nil
        } catch let error as PostgresError {
            return error.serverMessage ?? error.description
        } catch {
            return "\(error)"
        }
    }

    @Test func connectionsAreEncryptedAndTheServerIsVerified() throws {
        let url = try TestEnvironment.databaseURL()
        #expect(url.contains("sslmode=verify-full") && url.contains("sslrootcert="), "the embedded default verifies the server")
        let connection = try PostgresConnection(configuration: PostgresConfiguration(url: url, maxConnections: 1))
        let ssl = try connection.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").decode((Bool, String).self)
        #expect(ssl.first?.0 == true && ssl.first?.1.hasPrefix("TLSv1.") == true, "\(ssl)")
    }

    @Test func aServerCertificateAnotherCASignedIsRefused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("wrong-ca"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("ca.crt").path
        let openssl = try await ChildProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=Another CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-keyout", folder.appendingPathComponent("ca.key").path, "-out", certificate,
            ], environment: [:])
        #expect(await openssl.waitForExit() == 0, "\(openssl.output)")
        let refusal = try #require(Self.refusal(connecting: try Self.url(replacing: ["sslrootcert": certificate])))
        #expect(refusal.contains("certificate verify failed"), "\(refusal)")
    }

    @Test func aHostTheCertificateDoesNotNameIsRefused() throws {
        // Connected to the same server, but asked to be example.invalid.
        let refusal = try #require(Self.refusal(connecting: try Self.url(replacing: ["host": "example.invalid", "hostaddr": "127.0.0.1"])))
        #expect(refusal.contains("does not match host name \"example.invalid\""), "\(refusal)")
    }

    @Test func aConnectionWithoutTLSIsRefusedByTheServer() throws {
        let refusal = try #require(Self.refusal(connecting: try Self.url(replacing: ["sslmode": "disable"])))
        #expect(refusal.contains("no encryption"), "\(refusal)")
    }
}
