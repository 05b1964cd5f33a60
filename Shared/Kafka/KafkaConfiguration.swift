import Foundation
import Settings

/// How to reach the brokers, and any librdkafka property beyond that.
public struct KafkaConfiguration: Sendable, CustomStringConvertible {
    /// `host:port` pairs of the bootstrap brokers.
    public var brokers: [String]
    /// Names this process to the brokers (`client.id`). Default `turnaround`.
    public var clientID: String
    /// librdkafka properties (`name` → `value`), applied last so they override
    /// the defaults each client chooses. See librdkafka's CONFIGURATION.md.
    public var properties: [String: String]

    public init(brokers: [String], clientID: String = "turnaround", properties: [String: String] = [:]) {
        self.brokers = brokers
        self.clientID = clientID
        self.properties = properties
    }

    /// Reads `KAFKA_BROKERS` (required, comma-separated) and every
    /// `KAFKA_PROP_<NAME>` variable as the librdkafka property `<name>`,
    /// lower-cased with `_` read as `.`: `KAFKA_PROP_SECURITY_PROTOCOL=ssl`
    /// sets `security.protocol`.
    /// - Throws: ``SettingError`` naming the variable that is missing.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, clientID: String = "turnaround"
    ) throws(SettingError) -> KafkaConfiguration {
        let settings = SettingsReader(environment: environment)
        let brokers = try settings.value(ServiceSettings.kafkaBrokers)
        var properties: [String: String] = [:]
        for (name, value) in settings.values(of: ServiceSettings.kafkaProperties) {
            properties[name.lowercased().replacingOccurrences(of: "_", with: ".")] = value
        }
        return KafkaConfiguration(
            brokers: brokers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            clientID: clientID, properties: properties)
    }

    /// Brokers and property names; values of secret properties are `****`.
    public var description: String {
        let shown = properties.keys.sorted().map { name in
            "\(name)=\(Self.isSecret(name) ? "****" : properties[name]!)"
        }
        return "KafkaConfiguration(brokers: \(brokers.joined(separator: ",")), \(shown.joined(separator: ", ")))"
    }

    private static func isSecret(_ property: String) -> Bool {
        ["password", "secret", "key", "token", "jaas"].contains { property.contains($0) }
    }

    /// The full property set for one client: its defaults, then the brokers,
    /// then the operator's properties.
    func librdkafkaProperties(defaults: [String: String]) -> [String: String] {
        var merged = defaults
        merged["bootstrap.servers"] = brokers.joined(separator: ",")
        merged["client.id"] = clientID
        merged.merge(properties) { _, chosen in chosen }
        return merged
    }
}
