import Foundation

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

    public init(
        url: String, applicationName: String = "turnaround", maxConnections: Int = 10,
        connectTimeout: Duration = .seconds(10), searchPath: [String]? = nil
    ) {
        self.url = url
        self.applicationName = applicationName
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.searchPath = searchPath
    }

    /// Reads `DATABASE_URL` (required) and `DATABASE_POOL_SIZE` (optional).
    /// - Throws: ``PostgresError`` naming the variable that is missing or malformed.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        applicationName: String = "turnaround"
    ) throws -> PostgresConfiguration {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw PostgresError(.invalidConfiguration, serverMessage: "DATABASE_URL is not set")
        }
        var configuration = PostgresConfiguration(url: url, applicationName: applicationName)
        if let size = environment["DATABASE_POOL_SIZE"] {
            guard let count = Int(size), count > 0 else {
                throw PostgresError(
                    .invalidConfiguration, serverMessage: "DATABASE_POOL_SIZE must be a positive whole number")
            }
            configuration.maxConnections = count
        }
        return configuration
    }

    /// The URL with any password replaced by `****`.
    public var description: String {
        var redacted = url
        if let scheme = redacted.range(of: "://"), let at = redacted.range(of: "@", range: scheme.upperBound..<redacted.endIndex),
            let colon = redacted.range(of: ":", range: scheme.upperBound..<at.lowerBound)
        {
            redacted.replaceSubrange(colon.upperBound..<at.lowerBound, with: "****")
        }
        if let password = redacted.range(of: #"password\s*=\s*\S+"#, options: .regularExpression) {
            redacted.replaceSubrange(password, with: "password=****")
        }
        return "PostgresConfiguration(\(redacted), maxConnections: \(maxConnections))"
    }

    /// `text` (a message of libpq's, which may quote the connection string)
    /// with the URL's password, if it has one, replaced by `****`.
    func withoutPassword(_ text: String) -> String {
        guard let password = Self.password(in: url), !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "****")
    }

    private static func password(in url: String) -> String? {
        if let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex),
            let colon = url.range(of: ":", range: scheme.upperBound..<at.lowerBound)
        {
            return String(url[colon.upperBound..<at.lowerBound])
        }
        if let keyword = url.range(of: #"password\s*=\s*\S+"#, options: .regularExpression) {
            return url[keyword].split(separator: "=", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
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
}
