import Foundation
import Synchronization

/// JSON written and read the way the messages are: sorted keys, ISO 8601
/// dates, and errors that name the field.
public enum ContractJSON {
    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding plain values into JSON cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}

extension ContractJSON {
    /// Reads a message or a part of one.
    /// - Throws: ``ContractError`` naming the field that is missing or of the
    ///   wrong type; with `carefully`, every such field and every check that
    ///   fails on the parts that could be read (see ``FieldReader``).
    /// - Parameter strictlyAs: the schema and version the bytes are read as
    ///   (`referral.submitted v1`), when a field the types do not name is
    ///   refused (see ``FieldReader``).
    public static func read<Value: Decodable>(
        _ type: Value.Type, from bytes: [UInt8], strictlyAs schema: String? = nil, carefully: Bool = false
    ) throws(ContractError) -> Value {
        let sink = carefully ? ProblemSink() : nil
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            if schema != nil || sink != nil { decoder.userInfo[.contractReading] = ContractReading(strictSchema: schema, sink: sink) }
            let value = try decoder.decode(type, from: Data(bytes))
            if let sink, !sink.problems.isEmpty { throw ContractError(problems: sink.problems) }
            return value
        } catch let error as ContractError {
            throw error
        } catch is ProblemsRecorded {
            throw ContractError(problems: sink!.problems)
        } catch {
            let first = ContractError(decoding: error)
            guard let sink, !sink.problems.isEmpty else { throw first }
            throw ContractError(problems: sink.problems + first.problems)
        }
    }
}

extension CodingUserInfoKey {
    /// How a read goes (``ContractReading``): one key, looked up once an object.
    static let contractReading = CodingUserInfoKey(rawValue: "turnaround.contractReading")!
}

/// How a read goes, for the parts that read themselves (``FieldReader``).
final class ContractReading: Sendable {
    /// The schema and version a strict read refuses unknown fields against (`referral.submitted v1`); nil to ignore them.
    let strictSchema: String?
    /// Where a careful read keeps the problems it finds; nil for a quick read.
    let sink: ProblemSink?

    init(strictSchema: String?, sink: ProblemSink?) {
        self.strictSchema = strictSchema
        self.sink = sink
    }
}

/// The problems a careful read finds, each once, in the order found.
/// Sendable because a decoder's user info must be; one read uses it on one thread.
final class ProblemSink: Sendable {
    private struct Found {
        var problems: [ContractError.Problem] = []
        var seen: Set<ContractError.Problem> = []
    }

    private let found = Mutex(Found())

    var problems: [ContractError.Problem] { found.withLock { $0.problems } }

    func record(_ problems: [ContractError.Problem]) {
        found.withLock { found in
            for problem in problems where found.seen.insert(problem).inserted { found.problems.append(problem) }
        }
    }
}

/// Thrown by a part that could not be read whole, in a careful read, once
/// its problems are in the sink.
struct ProblemsRecorded: Error {}

/// Any key of a JSON object, to list them all.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// An object's fields, read one at a time. A quick read throws at the first
/// problem. A careful read, the second read of a message the quick one
/// refused, records a field that cannot be read, puts a stand-in in its
/// place and reads on; ``finish(validate:)`` then checks the part as read
/// (leaving out what the stand-ins break) and throws if any field failed,
/// so an agency learns every problem of a line at once.
struct FieldReader<Key: CodingKey> {
    private let container: KeyedDecodingContainer<Key>
    private let sink: ProblemSink?
    private var failed: [String] = []

    /// - Parameters:
    ///   - also: fields read elsewhere (a message's `schema` and `version`).
    ///   - only: the fields this object may hold, when fewer than `Key` names.
    init(_ decoder: any Decoder, _ keys: Key.Type, also: Set<String> = [], only: Set<String>? = nil) throws {
        let reading = decoder.userInfo[.contractReading] as? ContractReading
        sink = reading?.sink
        if let schema = reading?.strictSchema {
            try Self.refuseUnknownFields(in: decoder, against: schema, sink: sink) { name in
                only.map { $0.contains(name) } ?? (Key(stringValue: name) != nil || also.contains(name))
            }
        }
        container = try decoder.container(keyedBy: keys)
    }

    /// Refuses a field of this object that `isField` does not name; a field
    /// given as null is an absent one. A misspelt optional field (`end` for
    /// `to`) would otherwise pass as absent. A careful read records every
    /// such field and reads on.
    private static func refuseUnknownFields(
        in decoder: any Decoder, against schema: String, sink: ProblemSink?, isField: (String) -> Bool
    ) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var unknown: [AnyKey] = []
        for key in container.allKeys where !isField(key.stringValue) {
            if try !container.decodeNil(forKey: key) { unknown.append(key) }
        }
        guard !unknown.isEmpty else { return }
        unknown.sort { $0.stringValue < $1.stringValue }
        let problems = unknown.map {
            ContractError.Problem(field: ContractError.path(decoder.codingPath + [$0]), problem: "is not a field of \(schema)")
        }
        guard let sink else { throw ContractError(problems: [problems[0]]) }
        sink.record(problems)
    }

    /// The error to throw for a field whose value is refused outright (a
    /// fact's unknown kind); a careful read records it first.
    func refusal(_ key: Key, _ problem: String) -> any Error {
        let error = ContractError(field: field(key), problem: problem)
        guard let sink else { return error }
        sink.record(error.problems)
        return ProblemsRecorded()
    }

    /// The field's value; in a careful read, `standIn` if it cannot be read.
    mutating func read<Value: Decodable>(_ type: Value.Type, _ key: Key, else standIn: @autoclosure () -> Value) throws -> Value {
        guard let sink else { return try container.decode(type, forKey: key) }
        do {
            return try container.decode(type, forKey: key)
        } catch {
            record(error, in: sink, at: key)
            return standIn()
        }
    }

    /// The field's value, or nil when it is absent or null.
    mutating func readIfPresent<Value: Decodable>(_ type: Value.Type, _ key: Key) throws -> Value? {
        guard let sink else { return try container.decodeIfPresent(type, forKey: key) }
        do {
            return try container.decodeIfPresent(type, forKey: key)
        } catch {
            record(error, in: sink, at: key)
            return nil
        }
    }

    /// A list's elements; a careful read reads every element, not only up
    /// to the first that fails, and stands `standIn` in for each that does.
    mutating func readEach<Element: Decodable>(_ type: Element.Type, _ key: Key, else standIn: @autoclosure () -> Element) throws -> [Element] {
        guard let sink else { return try container.decode([Element].self, forKey: key) }
        do {
            let attempts = try container.decode([Attempt<Element>].self, forKey: key)
            return attempts.map { attempt in
                if let value = attempt.value { return value }
                failed.append(attempt.path)
                return standIn()
            }
        } catch {
            record(error, in: sink, at: key)
            return []
        }
    }

    /// Ends a part's read. In a careful read, runs `validate` on the part
    /// as read (at the part's path), keeps the problems of fields that were
    /// read, and throws ``ProblemsRecorded`` if any field could not be read.
    func finish(validate: (String) throws(ContractError) -> Void) throws {
        guard let sink else { return }
        do throws(ContractError) {
            try validate(path)
        } catch {
            sink.record(error.problems.filter { problem in
                !failed.contains { problem.field == $0 || problem.field.hasPrefix($0 + ".") || problem.field.hasPrefix($0 + "[") }
            })
        }
        if !failed.isEmpty { throw ProblemsRecorded() }
    }

    /// The part's path from the message's root: worked out only for a
    /// problem, since the decoder builds it anew each time it is asked.
    private var path: String { ContractError.path(container.codingPath) }

    private func field(_ key: Key) -> String {
        let path = path
        return path.isEmpty ? key.stringValue : path + "." + key.stringValue
    }

    private mutating func record(_ error: any Error, in sink: ProblemSink, at key: Key) {
        failed.append(field(key))
        switch error {
        case is ProblemsRecorded: break
        case let error as ContractError: sink.record(error.problems)
        default: sink.record(ContractError(decoding: error).problems)
        }
    }
}

/// One element of a list in a careful read: its value, or nil once its
/// problems are recorded, so the elements after it are still read.
private struct Attempt<Value: Decodable>: Decodable {
    var value: Value?
    /// The element's path, to leave out what its stand-in breaks.
    var path: String

    init(from decoder: any Decoder) throws {
        path = ContractError.path(decoder.codingPath)
        do {
            value = try Value(from: decoder)
        } catch {
            value = nil
            guard let sink = (decoder.userInfo[.contractReading] as? ContractReading)?.sink else { throw error }
            switch error {
            case is ProblemsRecorded: break
            case let error as ContractError: sink.record(error.problems)
            default: sink.record(ContractError(decoding: error).problems)
            }
        }
    }
}
