import Digest
import Foundation

/// A ruleset that cannot be used, with the file, the field and the problem.
public struct RulesetError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var field: String
    public var problem: String

    public var description: String {
        field.isEmpty ? "\(file): \(problem)" : "\(file): \(field): \(problem)"
    }
}

extension Ruleset {
    /// The rulesets shipped with Turnaround, by file name (without `.json`).
    public static let bundledNames = ["phase1-2012", "phase2-2015", "supporting-families-2022"]

    /// Reads and validates a shipped ruleset.
    public static func bundled(_ name: String = "phase1-2012") throws -> Ruleset {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Rulesets") else {
            throw RulesetError(file: "\(name).json", field: "", problem: "no such ruleset is shipped")
        }
        return try load(from: url)
    }

    /// Reads and validates a ruleset file.
    /// - Throws: ``RulesetError`` naming the file, the field and what is wrong.
    public static func load(from url: URL) throws -> Ruleset {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw RulesetError(file: url.lastPathComponent, field: "", problem: "cannot be read")
        }
        return try decode([UInt8](data), file: url.lastPathComponent)
    }

    /// Decodes and validates a ruleset's JSON text; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> Ruleset {
        var ruleset: Ruleset
        do {
            ruleset = try JSONDecoder().decode(Ruleset.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw RulesetError(decoding: error, file: file)
        }
        ruleset.contentHash = SHA256.hex(bytes)
        try ruleset.validate(file: file)
        return ruleset
    }

    private func validate(file: String) throws {
        func fail(_ field: String, _ problem: String) -> RulesetError {
            RulesetError(file: file, field: field, problem: problem)
        }
        if id.isEmpty { throw fail("id", "must not be empty") }
        if version.isEmpty { throw fail("version", "must not be empty") }
        if adultAge <= 0 { throw fail("adultAge", "must be positive") }
        var criterionIDs = Set<String>()
        for (index, criterion) in criteria.enumerated() {
            guard criterionIDs.insert(criterion.id).inserted else { throw fail("criteria[\(index)].id", "'\(criterion.id)' is used twice") }
            if criterion.anyOf.isEmpty { throw fail("criteria[\(index)].anyOf", "needs at least one test") }
        }
        for id in eligibility.criterionIDs where !criterionIDs.contains(id) {
            throw fail("eligibility", "refers to unknown criterion '\(id)'")
        }
        var resultIDs = Set<String>()
        for (index, result) in results.enumerated() {
            guard resultIDs.insert(result.id).inserted else { throw fail("results[\(index)].id", "'\(result.id)' is used twice") }
            if let problem = result.measure.problem { throw fail("results[\(index)]", problem) }
        }
        for id in payments.exclusiveResults where !resultIDs.contains(id) {
            throw fail("payments.exclusiveResults", "refers to unknown result '\(id)'")
        }
        for (index, year) in payments.years.enumerated() {
            for id in year.results.keys.sorted() where !resultIDs.contains(id) {
                throw fail("payments.years[\(index)].results", "refers to unknown result '\(id)'")
            }
        }
    }
}

extension ResultMeasure {
    /// What is wrong with the measure's values, if anything.
    var problem: String? {
        let counts: [(String, Int)]
        switch self {
        case .crimeAndEducation(let measure):
            counts = [
                ("months", measure.months), ("youthAgeUnder", measure.youthAgeUnder),
                ("educationTerms", measure.educationTerms), ("fixedExclusionsBelow", measure.fixedExclusionsBelow),
            ]
        case .progressToWork(let measure): counts = [("months", measure.months)]
        case .continuousEmployment(let measure): counts = [("weeks", measure.weeks)]
        case .sustainedProgress(let measure): counts = [("months", measure.months)]
        }
        return counts.first { $0.1 < 0 }.map { "\($0.0) must not be negative" }
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
