import Foundation

/// Reads settings: a command-line option when one was given, else the
/// environment variable, else the setting's default.
public struct SettingsReader: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// - Parameter option: the text given for the setting's command-line option, if any.
    /// - Throws: ``SettingError`` naming the variable (and option) that is
    ///   not set or not what the setting expects.
    public func value<Value>(_ setting: Setting<Value>, option: String? = nil) throws(SettingError) -> Value {
        if let option {
            guard let value = setting.parse(option) else { throw SettingError(setting, fromOption: true, problem: "must be \(setting.expected)") }
            return value
        }
        if let text = environment[setting.variable] {
            guard let value = setting.parse(text) else { throw SettingError(setting, fromOption: false, problem: "must be \(setting.expected)") }
            return value
        }
        switch setting.fallback {
        case .value(let value): return value
        case .required: throw SettingError(setting, fromOption: false, problem: "is not set")
        }
    }

    /// The variables of a family, by the name after the prefix (`SECURITY_PROTOCOL`).
    public func values(of family: SettingFamily) -> [String: String] {
        var values: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(family.prefix) {
            values[String(name.dropFirst(family.prefix.count))] = value
        }
        return values
    }
}

/// A setting that is not set or not what it should be, by name; its value is
/// never repeated (it may be a secret).
public struct SettingError: Error, CustomStringConvertible, Sendable {
    /// The environment variable.
    public var variable: String
    /// `--option (VARIABLE)` when the option gave the value, else the variable.
    public var source: String
    /// `is not set`, `must be a positive whole number`.
    public var problem: String

    public init(_ setting: some DescribedSetting, fromOption: Bool, problem: String) {
        variable = setting.variable
        source = fromOption ? "--\(setting.option ?? setting.variable) (\(setting.variable))" : setting.variable
        self.problem = problem
    }

    public var description: String { "\(source) \(problem)" }
}
