import Foundation
import Settings

/// How to reach PostgreSQL and how many connections to keep.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// A libpq connection URI (`postgresql://user:password@host:port/db`) or
    /// key/value connection string.
    public var url: String
    /// Reported to the server as `application_name`. Default `turnaround`.
    public var applicationName: String
    /// The most connections a pool opens. Default 10.
    public var maxConnections: Int
    /// How long a connection attempt may take. Default 10 seconds.
    public var connectTimeout: Duration
    /// Schemas to search, in order; `nil` keeps the server's default.
    public var searchPath: [String]?
    /// Runs on every session before its first use: on each new connection,
    /// and again on one re-established after the server went away (the
    /// server kept nothing of the old session's settings).
    public var sessionSetup: (@Sendable (PostgresConnection) throws -> Void)?

    public init(
        url: String, applicationName: String = "turnaround", maxConnections: Int = 10,
        connectTimeout: Duration = .seconds(10), searchPath: [String]? = nil,
        sessionSetup: (@Sendable (PostgresConnection) throws -> Void)? = nil
    ) {
        self.url = url
        self.applicationName = applicationName
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.searchPath = searchPath
        self.sessionSetup = sessionSetup
    }

    /// Reads `DATABASE_URL` (required) and `DATABASE_POOL_SIZE` (optional).
    /// - Throws: ``SettingError`` naming the variable that is missing or malformed.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        applicationName: String = "turnaround"
    ) throws(SettingError) -> PostgresConfiguration {
        let settings = SettingsReader(environment: environment)
        return PostgresConfiguration(
            url: try settings.value(ServiceSettings.databaseURL), applicationName: applicationName,
            maxConnections: try settings.value(ServiceSettings.databasePoolSize))
    }

    /// The URL with any password replaced by `****`.
    public var description: String {
        var redacted = url
        for range in Self.passwordRanges(in: url).reversed() { redacted.replaceSubrange(range, with: "****") }
        return "PostgresConfiguration(\(redacted), maxConnections: \(maxConnections))"
    }

    /// `text` (a message of libpq's, which may quote the connection string)
    /// with the URL's passwords, as written and percent-decoded, replaced by `****`.
    func withoutPassword(_ text: String) -> String {
        var text = text
        for range in Self.passwordRanges(in: url) {
            let written = String(url[range])
            for form in Set([written, written.removingPercentEncoding ?? written]) where !form.isEmpty {
                text = text.replacingOccurrences(of: form, with: "****")
            }
        }
        return text
    }

    /// Where the URL holds a password: `user:password@` after the scheme, and
    /// each `password=` parameter or keyword, up to `&`, a space or a quote.
    private static func passwordRanges(in url: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        if let scheme = url.range(of: "://"),
            let at = url[scheme.upperBound...].firstIndex(where: { $0 == "@" }),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        {
            ranges.append(url.index(after: colon)..<at)
        }
        var searchFrom = url.startIndex
        while let keyword = url.range(of: #"password\s*=\s*'?"#, options: .regularExpression, range: searchFrom..<url.endIndex) {
            let end = url[keyword.upperBound...].firstIndex(where: { "& '\"".contains($0) }) ?? url.endIndex
            ranges.append(keyword.upperBound..<end)
            searchFrom = end
        }
        return ranges
    }

    /// libpq's connection keywords, the URL expanded in place of `dbname`.
    var connectionParameters: [(String, String)] {
        var parameters = [
            ("dbname", url),
            ("application_name", applicationName),
            ("connect_timeout", String(max(1, connectTimeout.components.seconds))),
            ("client_encoding", "UTF8"),
        ]
        if let searchPath {
            parameters.append(("options", "-c search_path=" + searchPath.joined(separator: ",")))
        }
        return parameters
    }

    /// `url` with server settings (`name=value`) its sessions start with,
    /// beside the URL's other parameters and settings: a process of one's
    /// own given a search path, or a role to work as.
    public static func url(_ url: String, startingSessionsWith settings: [String]) -> String {
        guard !settings.isEmpty else { return url }
        let encoded = settings.map { "-c" + $0.replacingOccurrences(of: "=", with: "%3D") }.joined(separator: "%20")
        if url.contains("options=") { return url.replacingOccurrences(of: "options=", with: "options=" + encoded + "%20") }
        return url + (url.contains("?") ? "&" : "?") + "options=" + encoded
    }
}
