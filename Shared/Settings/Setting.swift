import Foundation

/// One setting a process reads from its environment: the variable, what it
/// means, its default, and what a valid value looks like. Each is declared
/// once, in ``ServiceSettings``; its `--help` line (``help``) and its row
/// in the README's configuration tables (``readmeRow``) are made from that
/// declaration, and a test holds the README to it.
///
/// This small layer stands in for apple/swift-configuration, which reads
/// the environment the same way but, asked for a value with a default,
/// returns the default when the variable holds something it cannot read:
/// `WORKER_BATCH_SIZE=5OO` would start a worker with 500 and no word. Here
/// a malformed value stops the process with an error naming the variable.
public struct Setting<Value: Sendable>: Sendable, DescribedSetting {
    public let variable: String
    /// The command-line option that overrides the variable, if there is one
    /// (`batch-size` for `--batch-size`).
    public let option: String?
    /// What the setting does, as a phrase (the README's "meaning" column).
    public let meaning: String
    /// What a valid value is, for errors: "a positive whole number".
    public let expected: String
    /// The default as documented: `500`, `required`, `today`, `—`.
    public let shownDefault: String
    let fallback: Fallback
    let parse: @Sendable (String) -> Value?

    enum Fallback: Sendable {
        case required
        case value(Value)
    }

    /// - Parameters:
    ///   - fallback: the value when the variable is not set; `nil` when it must be.
    ///   - parse: the value a text stands for, or `nil` if it is not `expected`.
    public init(
        _ variable: String, option: String? = nil, meaning: String, expected: String, default fallback: Value?, shownDefault: String,
        parse: @escaping @Sendable (String) -> Value?
    ) {
        self.variable = variable
        self.option = option
        self.meaning = meaning
        self.expected = expected
        self.shownDefault = shownDefault
        self.fallback = fallback.map { .value($0) } ?? .required
        self.parse = parse
    }
}

extension Setting where Value == Int {
    /// A whole number above zero.
    public static func positiveNumber(_ variable: String, option: String? = nil, meaning: String, default fallback: Int) -> Setting {
        Setting(variable, option: option, meaning: meaning, expected: "a positive whole number", default: fallback, shownDefault: "\(fallback)") {
            Int($0).flatMap { $0 > 0 ? $0 : nil }
        }
    }
}

extension Setting where Value == String {
    /// Any text that is not empty; `required` when there is no default.
    public static func text(
        _ variable: String, option: String? = nil, meaning: String, default fallback: String?, shownDefault: String? = nil
    ) -> Setting {
        Setting(
            variable, option: option, meaning: meaning, expected: "set to something", default: fallback,
            shownDefault: shownDefault ?? fallback.map { "`\($0)`" } ?? "required"
        ) { $0.isEmpty ? nil : $0 }
    }
}

extension Setting where Value == String {
    /// One of a fixed set of lower-case words, written in any case.
    public static func oneOf(_ words: [String], _ variable: String, option: String? = nil, meaning: String, default fallback: String) -> Setting {
        let expected = words.count == 2 ? "\(words[0]) or \(words[1])" : "one of " + words.joined(separator: ", ")
        return Setting(variable, option: option, meaning: meaning, expected: expected, default: fallback, shownDefault: "`\(fallback)`") {
            let word = $0.lowercased()
            return words.contains(word) ? word : nil
        }
    }
}

/// What documents a setting, whatever its type.
public protocol DescribedSetting: Sendable {
    var variable: String { get }
    var option: String? { get }
    var meaning: String { get }
    var shownDefault: String { get }
}

extension DescribedSetting {
    /// Its `--help` text: the meaning, the variable and the default.
    public var help: String {
        "\(meaning.prefix(1).uppercased() + meaning.dropFirst()). Env \(variable)\(defaultClause)."
    }

    /// Its line among the settings a process reads from the environment alone.
    public var environmentHelp: String {
        "\(variable): \(meaning)\(defaultClause)."
    }

    private var defaultClause: String {
        switch shownDefault {
        case "required": "; required"
        case "—": ""
        default: "; default \(shownDefault)"
        }
    }

    /// Its row in the README's configuration tables.
    public var readmeRow: String {
        "| `\(variable)` | \(meaning) | \(shownDefault) |"
    }
}

/// Settings whose variables share a prefix, read as a set: `KAFKA_PROP_<NAME>`.
public struct SettingFamily: Sendable, DescribedSetting {
    public let prefix: String
    public let meaning: String
    public var variable: String { prefix + "<NAME>" }
    public var option: String? { nil }
    public var shownDefault: String { "—" }

    public init(prefix: String, meaning: String) {
        self.prefix = prefix
        self.meaning = meaning
    }
}
