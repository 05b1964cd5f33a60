import ArgumentParser
import Foundation
import Postgres
import Rules
import Settings
import Store

struct RulesetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rulesets",
        abstract: "The programme's rulesets: those shipped and those in use, each in words, and checking a ruleset file.",
        discussion: """
            A ruleset is the programme's criteria, eligibility rule, results and payments, kept as a JSON file; \
            screening and claims use the one RULESET (or --ruleset) names: a shipped one by its id, or a file. \
            A ruleset is known by its id, its version and its content hash (the file's SHA-256), which every \
            decision and claim records. Screening records each ruleset it starts with and refuses to start with \
            one whose id and version are recorded with other content, so replicas never decide under different \
            rules by accident: a changed ruleset needs a new version.
            """,
        subcommands: [List.self, Show.self, Check.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the rulesets shipped with this build and those in use, each by id, version and content hash.",
            discussion: """
                A ruleset in use is one screening has started with, or one decisions were made under: first_used and \
                last_used span both, and decisions counts the eligibility decisions made under it. The same id and \
                version with two hashes is listed twice. Needs DATABASE_URL.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func run() async throws {
            let shipped = try Ruleset.bundledNames.map { try Ruleset.bundled($0) }
            let (recorded, used) = try await common.withPool { pool in
                try await pool.withConnection { (try RulesetTable.all(on: $0), try EligibilityDecisionTable.rulesetsUsed(on: $0)) }
            }
            let listing = RulesetListing(shipped: shipped, recorded: recorded, used: used)
            Report(
                header: ["ruleset_id", "version", "name", "content_hash", "shipped", "first_used", "last_used", "decisions"],
                rows: listing.entries.map(\.cells),
                kinds: ["content_hash": .digest, "decisions": .count]
            ).print(format, summary: "\(shipped.count) rulesets shipped, \(listing.entries.count { $0.firstUsed != nil }) in use")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a ruleset in words: each criterion with its source and tests, the eligibility rule, the results and the payments.",
            discussion: """
                RULESET is a shipped ruleset's id (phase2-2015), an id and version (phase2-2015@1.2.0), or a ruleset \
                file's path. An id that is not shipped, or a version other than the shipped one, is looked for among \
                the rulesets screening has started with (needs DATABASE_URL): a ruleset in use can be read after no \
                build ships it any more; given no version, the one started last.
                """)
        @OptionGroup var common: CommonOptions
        @Argument(help: "ID, ID@VERSION, or a ruleset file's path.") var ruleset: String

        func run() async throws {
            let (found, provenance) = try await find()
            let words = found.inWords
            print(words.title)
            print("Content hash \(found.contentHash): \(provenance).")
            print(words.body, terminator: "")
        }

        /// The ruleset named, and where it was found, in words.
        private func find() async throws -> (Ruleset, String) {
            if FileManager.default.fileExists(atPath: ruleset) {
                return (try RulesetFile.load(ruleset), "the file \(ruleset)")
            }
            let parts = ruleset.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let id = parts[0]
            let version = parts.count == 2 ? parts[1] : nil
            let shipped = KnownRulesets.shipped(id: id)
            if let shipped, version == nil || version == shipped.version {
                return (shipped, "shipped with this build")
            }
            let notShipped =
                shipped.map { "\(ruleset) is not shipped (this build ships \($0.id) version \($0.version))" }
                ?? "no ruleset \(ruleset) is shipped (\(Ruleset.bundledNames.joined(separator: ", ")))"
            let recorded: [RulesetTable.Recorded]
            do {
                recorded = try await common.withPool { pool in
                    try await pool.withConnection { try RulesetTable.versions(of: id, version: version, on: $0) }
                }
            } catch let error as SettingError {
                throw CommandFailure.environment("\(notShipped), nor a file of that name; to look among the rulesets in use: \(error)")
            }
            guard let latest = recorded.first else {
                throw CommandFailure.refused(
                    "\(notShipped), recorded in use, nor a file of that name; `turnaround rulesets list` lists those shipped and in use")
            }
            guard let ruleset = try KnownRulesets.decode(latest) else {
                throw CommandFailure.refused(
                    "ruleset \(latest.id) version \(latest.version) (content hash \(latest.contentHash)) is known only from "
                        + "decisions made before rulesets were recorded: its content was never kept")
            }
            return (
                ruleset,
                "in use, first started \(Instant.text(latest.firstStartedAt)), last started \(Instant.text(latest.lastStartedAt))"
            )
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a ruleset file: every problem, one a line, by file and field.",
            discussion: """
                Prints each problem as `file: field: problem` on standard error and exits 1; a file that is not JSON \
                a ruleset can be read from is one problem, otherwise every value that is wrong is listed. A file \
                with a shipped ruleset's id and version but other content is a problem too: a changed ruleset \
                needs a new version. When there is none, prints `ok` with the ruleset's id, version and content hash.
                """)
        @OptionGroup var common: CommonOptions
        @Argument(help: "The ruleset file.") var file: String

        func run() async throws {
            let ruleset = try RulesetFile.load(file)
            let name = URL(fileURLWithPath: file).lastPathComponent
            if let shipped = KnownRulesets.shipped(id: ruleset.id), shipped.version == ruleset.version, shipped.contentHash != ruleset.contentHash {
                RulesetFile.report(
                    [
                        RulesetError(
                            file: name, field: "version",
                            problem: "\(ruleset.id) version \(ruleset.version) is shipped with content hash \(shipped.contentHash), "
                                + "this file's is \(ruleset.contentHash): a changed ruleset needs a new version")
                    ], in: name)
                throw CommandFailure.refusedStatus
            }
            print("\(name): ok: \(ruleset.id) version \(ruleset.version), content hash \(ruleset.contentHash)")
        }
    }
}

/// A ruleset file the user names, read as screening reads it.
enum RulesetFile {
    /// Reads and checks the file.
    /// - Throws: `ExitCode(1)` once every problem is printed on standard error.
    static func load(_ path: String) throws -> Ruleset {
        do throws(InvalidRuleset) {
            return try Ruleset.load(from: URL(fileURLWithPath: path))
        } catch {
            report(error.problems, in: URL(fileURLWithPath: path).lastPathComponent)
            throw CommandFailure.refusedStatus
        }
    }

    /// Prints each problem on a line of standard error, then a line counting them.
    static func report(_ problems: [RulesetError], in name: String) {
        InputFile.report(problems.map(\.description), in: name, consequence: "the ruleset cannot be used")
    }
}

/// The rulesets `show` and `explain` can find: shipped with this build, or
/// recorded by screening when it started with them.
enum KnownRulesets {
    /// The shipped ruleset with this id, if one is.
    static func shipped(id: String) -> Ruleset? {
        Ruleset.bundledNames.contains(id) ? try? Ruleset.bundled(id) : nil
    }

    /// The ruleset a decision names by id, version and content hash:
    /// shipped, or recorded with its content; nil when neither holds it
    /// (or this build cannot read the content recorded: a later build's).
    static func named(id: String, version: String, contentHash: String, on connection: PostgresConnection) throws -> Ruleset? {
        if let shipped = shipped(id: id), shipped.version == version, shipped.contentHash == contentHash { return shipped }
        guard let recorded = try RulesetTable.versions(of: id, version: version, on: connection).first,
            recorded.contentHash == contentHash
        else { return nil }
        return try? decode(recorded)
    }

    /// A recorded ruleset read from its content; nil when its content was never kept.
    /// - Throws: ``InvalidRuleset`` for content this build cannot read (a later build's).
    static func decode(_ recorded: RulesetTable.Recorded) throws -> Ruleset? {
        try recorded.content.map { try Ruleset.decode(Array($0.utf8), file: "\(recorded.id)@\(recorded.version)") }
    }
}

/// The rulesets shipped and those in use, one entry per id, version and content hash.
struct RulesetListing {
    struct Entry {
        var id: String
        var version: String
        var contentHash: String
        var name = ""
        var isShipped = false
        var firstUsed: Date?
        var lastUsed: Date?
        var decisions = 0

        /// The entry as `rulesets list` prints it.
        var cells: [String] {
            let firstUsed = firstUsed.map(Instant.text) ?? ""
            let lastUsed = lastUsed.map(Instant.text) ?? ""
            return [id, version, name, contentHash, isShipped ? "yes" : "no", firstUsed, lastUsed, String(decisions)]
        }

        /// Widens the span of use to take in `from` to `to`.
        mutating func used(from: Date, to: Date) {
            firstUsed = min(firstUsed ?? from, from)
            lastUsed = max(lastUsed ?? to, to)
        }
    }

    /// By id, version and content hash.
    let entries: [Entry]

    init(shipped: [Ruleset], recorded: [RulesetTable.Recorded], used: [EligibilityDecisionTable.RulesetUse]) {
        var entries: [String: Entry] = [:]
        func key(_ id: String, _ version: String, _ hash: String) -> String { [id, version, hash].joined(separator: "\u{0}") }
        for ruleset in shipped {
            entries[key(ruleset.id, ruleset.version, ruleset.contentHash)] = Entry(
                id: ruleset.id, version: ruleset.version, contentHash: ruleset.contentHash, name: ruleset.name, isShipped: true)
        }
        for ruleset in recorded {
            let key = key(ruleset.id, ruleset.version, ruleset.contentHash)
            var entry = entries[key] ?? Entry(id: ruleset.id, version: ruleset.version, contentHash: ruleset.contentHash)
            if entry.name.isEmpty, let decoded = try? KnownRulesets.decode(ruleset) { entry.name = decoded.name }
            entry.used(from: ruleset.firstStartedAt, to: ruleset.lastStartedAt)
            entries[key] = entry
        }
        for use in used {
            let key = key(use.rulesetID, use.rulesetVersion, use.rulesetHash)
            var entry = entries[key] ?? Entry(id: use.rulesetID, version: use.rulesetVersion, contentHash: use.rulesetHash)
            entry.used(from: use.firstDecidedAt, to: use.lastDecidedAt)
            entry.decisions += use.decisions
            entries[key] = entry
        }
        self.entries = entries.values.sorted { ($0.id, $0.version, $0.contentHash) < ($1.id, $1.version, $1.contentHash) }
    }
}
