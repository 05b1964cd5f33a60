import Digest
import Foundation

/// One problem of a ruleset file: the file, the field and what is wrong.
public struct RulesetError: Error, CustomStringConvertible, Sendable, Hashable {
    public var file: String
    public var field: String
    public var problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String {
        field.isEmpty ? "\(file): \(problem)" : "\(file): \(field): \(problem)"
    }
}

/// A ruleset that cannot be used, with every problem found in it, in the
/// file's order: the JSON's first (a file that cannot be read as a ruleset
/// has no values to check), or every value that is wrong.
public struct InvalidRuleset: Error, CustomStringConvertible, Sendable {
    public var problems: [RulesetError]

    /// One problem a line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension Ruleset {
    /// The rulesets shipped with Turnaround, by file name (without `.json`), which is each one's id.
    public static let bundledNames = ["phase1-2012", "phase2-2015", "supporting-families-2022"]

    /// Reads and checks a shipped ruleset.
    /// - Throws: ``InvalidRuleset`` when no such ruleset is shipped.
    public static func bundled(_ name: String = "phase1-2012") throws(InvalidRuleset) -> Ruleset {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Rulesets") else {
            throw InvalidRuleset(problems: [RulesetError(file: "\(name).json", field: "", problem: "no such ruleset is shipped")])
        }
        return try load(from: url)
    }

    /// Reads and checks a ruleset file.
    /// - Throws: ``InvalidRuleset`` naming the file, and each field and what is wrong with it.
    public static func load(from url: URL) throws(InvalidRuleset) -> Ruleset {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw InvalidRuleset(problems: [RulesetError(file: url.lastPathComponent, field: "", problem: "cannot be read")])
        }
        return try decode([UInt8](data), file: url.lastPathComponent)
    }

    /// Decodes and checks a ruleset's JSON text; `file` names it in problems.
    /// - Throws: ``InvalidRuleset`` with the JSON's first problem, or else every value that is wrong.
    public static func decode(_ bytes: [UInt8], file: String) throws(InvalidRuleset) -> Ruleset {
        func invalid(_ problem: RulesetError) -> InvalidRuleset { InvalidRuleset(problems: [problem]) }
        // Kept as text and hashed as bytes: the text must give back the same bytes.
        guard let content = String(validating: bytes, as: UTF8.self) else {
            throw invalid(RulesetError(file: file, field: "", problem: "is not UTF-8 text"))
        }
        var ruleset: Ruleset
        do {
            ruleset = try JSONDecoder().decode(Ruleset.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw invalid(RulesetError(decoding: error, file: file))
        } catch {
            throw invalid(RulesetError(file: file, field: "", problem: "is not valid JSON"))
        }
        let problems = ruleset.problems(file: file)
        guard problems.isEmpty else { throw InvalidRuleset(problems: problems) }
        ruleset.contentHash = SHA256.hex(bytes)
        ruleset.content = content
        return ruleset
    }
}

extension RulesetError {
    init(decoding error: DecodingError, file: String) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("") { path, key in
                if let index = key.intValue { return path + "[\(index)]" }
                return path.isEmpty ? key.stringValue : path + "." + key.stringValue
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(file: file, field: path(context.codingPath + [key]), problem: "is missing")
        case .typeMismatch(let type, let context):
            self.init(file: file, field: path(context.codingPath), problem: "must be \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: path(context.codingPath), problem: "must be \(Self.typeName(type)), not null")
        case .dataCorrupted(let context):
            let problem = context.codingPath.isEmpty ? "is not valid JSON" : context.debugDescription
            self.init(file: file, field: path(context.codingPath), problem: problem)
        @unknown default:
            self.init(file: file, field: "", problem: "cannot be read")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "a list"
        default: "an object"
        }
    }
}
