import ArgumentParser
import Contracts
import Foundation
import Kafka
import Store

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, show, replay and purge the messages the stages set aside (dead letters).",
        discussion: """
            A stage that can never apply a message keeps its original bytes in the dead-letter table and \
            publishes a notice without them to <topic>.dlq. Reading the bytes takes the owner's rights or the \
            turnaround_dead_letters role: they may hold personal data. Fix the cause, replay with --dry-run \
            first, then replay; purge what must never be applied.
            """,
        subcommands: [List.self, Show.self, Replay.self, Purge.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List dead letters, oldest first: where each came from, why, and what became of its replay.")

        @OptionGroup var common: CommonOptions
        @OptionGroup var selection: DeadLetterSelectionOptions
        @Option(help: "pending (never replayed), replayed or all.") var status: Status = .all
        @Option(help: "The most dead letters listed.") var limit = 1_000
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        enum Status: String, ExpressibleByArgument, CaseIterable { case pending, replayed, all }

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be 1 or more") }
        }

        func run() async throws {
            let logger = common.makeLogger()
            let replayed: Bool? = switch status {
            case .pending: false
            case .replayed: true
            case .all: nil
            }
            let chosen = try selection.selection(replayed: replayed)
            let pool = try common.plainPool(logger: logger)
            defer { pool.close() }
            let (letters, total) = try await pool.withConnection { connection in
                (try DeadLetterTable.list(chosen, limit: limit, on: connection), try DeadLetterTable.count(chosen, on: connection))
            }
            let summary = letters.count < total
                ? "\(letters.count) of \(DeadLetterCommand.counted(total)) (raise --limit for more)" : DeadLetterCommand.counted(total)
            DeadLetterCommand.report(letters).print(format, summary: summary)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one dead letter whole, its original message included (which may hold personal data).")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The dead letter's id (the `dlq-reference` of its notice).") var id: Int64
        @Option(help: "text or json.") var format: Format = .text

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        func run() async throws {
            let logger = common.makeLogger()
            let pool = try common.plainPool(logger: logger)
            defer { pool.close() }
            let found = try await pool.withConnection { connection in
                (try DeadLetterTable.list(DeadLetterTable.Selection(ids: [id]), limit: 1, on: connection).first,
                 try DeadLetterTable.original(of: id, on: connection))
            }
            guard let letter = found.0, let original = found.1 else {
                print("no dead letter \(id) (never recorded, purged, or past its retention)")
                throw ExitCode.failure
            }
            switch format {
            case .text: printText(letter, original)
            case .json: try printJSON(letter, original)
            }
        }

        private func printText(_ letter: DeadLetterTable.Letter, _ original: DeadLetterTable.Original) {
            print("dead letter \(letter.id)")
            print("  service        \(letter.service)")
            print("  source         \(letter.topic)[\(letter.partition)] offset \(letter.offset)")
            print("  event id       \(letter.eventID ?? "none")")
            print("  reason         \(letter.reason)")
            print("  dead-lettered  \(Instant.text(letter.deadLetteredAt))")
            print("  replay         \(DeadLetterCommand.describe(letter.replay))")
            print("original message (may hold personal data: keep it where it is)")
            print("  key            \(original.key.map(Self.readable) ?? "none")")
            for header in original.headers {
                print("  header \(header.name): \(header.value.map(Self.readable) ?? "null")")
            }
            print("  payload        \(Self.readable(original.payload))")
        }

        private func printJSON(_ letter: DeadLetterTable.Letter, _ original: DeadLetterTable.Original) throws {
            var object: [String: Any] = [
                "id": letter.id, "service": letter.service, "topic": letter.topic, "partition": letter.partition, "offset": letter.offset,
                "eventId": letter.eventID ?? NSNull(), "reason": letter.reason,
                "deadLetteredAt": Instant.text(letter.deadLetteredAt), "replay": DeadLetterCommand.describe(letter.replay),
                "headers": original.headers.map { ["name": $0.name, "value": $0.value.map(Self.readable) ?? NSNull()] as [String: Any] },
            ]
            object["key"] = original.key.map(Self.readable) ?? NSNull()
            object["payload"] = Self.readable(original.payload)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }

        /// Bytes as text when they are UTF-8 without control characters, else as `base64:…`.
        static func readable(_ bytes: [UInt8]) -> String {
            if let text = String(validating: bytes, as: UTF8.self),
               !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
                return text
            }
            return "base64:" + Data(bytes).base64EncodedString()
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead letters again, once, to the stage that set each aside, after their cause is fixed.",
            discussion: """
                Each original goes back to its topic under a new event id, with the headers replay-for (the \
                stage it is for: other stages reading the topic pass it by), replay-of and dead-letter; the \
                stage's outbox relay publishes it. A dead letter is replayed at most once: one that fails \
                again is set aside as a new dead letter, which can be replayed in turn. Run with --dry-run \
                first to see what would be sent.
                """)

        @OptionGroup var common: CommonOptions
        @OptionGroup var selection: DeadLetterSelectionOptions
        @Flag(help: "Show what would be replayed; send nothing.") var dryRun = false
        @Option(help: "Who replays (your staff id), recorded with each replay; required unless --dry-run.") var by: String?

        func validate() throws {
            try selection.validateChosen()
            if !dryRun, (by ?? "").isEmpty { throw ValidationError("replay needs --by USER: every replay records who made it") }
        }

        func run() async throws {
            let logger = common.makeLogger()
            // A dead letter is replayed once: those replayed before are not taken.
            let chosen = try selection.selection(replayed: false)
            let pool = try common.plainPool(logger: logger)
            defer { pool.close() }
            if dryRun {
                let (letters, total) = try await pool.withConnection { connection in
                    (try DeadLetterTable.list(chosen, limit: 1_000, on: connection), try DeadLetterTable.count(chosen, on: connection))
                }
                DeadLetterCommand.report(letters).print(.table, summary: "dry run: would replay \(DeadLetterCommand.counted(total)); nothing sent")
                return
            }
            let replayer = by ?? ""
            let replayed = try await pool.withTransaction { connection in
                let letters = try DeadLetterTable.lockForReplay(chosen, on: connection)
                let events = letters.map { DeadLetterCommand.replayEvent(of: $0.0, original: $0.1) }
                for (service, pairs) in Dictionary(grouping: zip(letters.map(\.0.service), events), by: \.0) {
                    try OutboxTable.append(pairs.map(\.1), stage: service, on: connection)
                }
                try DeadLetterTable.markReplayed(
                    zip(letters, events).map { (id: $0.0.id, eventID: $1.eventID!) }, by: replayer, on: connection)
                return letters.map(\.0)
            }
            guard !replayed.isEmpty else {
                common.say("nothing to replay: no dead letter never replayed matches")
                return
            }
            let counts = Dictionary(grouping: replayed, by: \.topic).sorted { $0.key < $1.key }.map { "\($0.value.count) to \($0.key)" }
            common.say("replayed \(DeadLetterCommand.counted(replayed.count)) (\(counts.joined(separator: ", "))), ids \(DeadLetterCommand.ranges(replayed.map(\.id)))")
            common.say("each stage's relay publishes its own; `turnaround dlq list --status replayed` shows whether each was applied")
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete dead letters, original bytes and all, for good: those that must never be applied.")

        @OptionGroup var common: CommonOptions
        @OptionGroup var selection: DeadLetterSelectionOptions
        @Flag(help: "Show how many would be deleted; delete nothing.") var dryRun = false

        func validate() throws {
            try selection.validateChosen()
        }

        func run() async throws {
            let logger = common.makeLogger()
            let chosen = try selection.selection()
            let pool = try common.plainPool(logger: logger)
            defer { pool.close() }
            if dryRun {
                let total = try await pool.withConnection { try DeadLetterTable.count(chosen, on: $0) }
                common.say("dry run: would delete \(DeadLetterCommand.counted(total)); nothing deleted")
                return
            }
            let deleted = try await pool.withTransaction { try DeadLetterTable.purge(chosen, on: $0) }
            common.say("deleted \(DeadLetterCommand.counted(deleted))")
        }
    }
}

/// Which dead letters a `dlq` command takes.
struct DeadLetterSelectionOptions: ParsableArguments {
    @Option(name: .customLong("id"), help: "A dead letter's id; repeat for several.") var ids: [Int64] = []
    @Option(help: "Only those from this topic, e.g. referrals.submitted (TOPIC_PREFIX is added unless the name has it).") var topic: String?
    @Option(help: "Only those this stage set aside: intake, screening or claims.") var service: String?
    @Option(help: "Only those whose reason contains this text (any case).") var reason: String?
    @Option(help: "Only those set aside at or after this time (2026-12-01 or 2026-12-01T09:30:00Z).") var since: String?
    @Option(help: "Only those set aside before this time.") var until: String?
    @Flag(help: "Every dead letter, when no other condition is given (replay and purge need one or the other).") var all = false

    private var narrowed: Bool { !ids.isEmpty || topic != nil || service != nil || reason != nil || since != nil || until != nil }

    func validate() throws {
        if all, narrowed { throw ValidationError("--all takes every dead letter: give it alone, or name which with --id, --topic, …") }
    }

    /// For replay and purge, which act on what they select: `--all` or a condition must be given.
    func validateChosen() throws {
        if !all, !narrowed {
            throw ValidationError("say which dead letters: --id, --topic, --service, --reason, --since or --until, or --all for every one")
        }
    }

    /// The selection.
    /// - Parameter replayed: only those replayed (true), or never replayed (false).
    func selection(replayed: Bool? = nil) throws -> DeadLetterTable.Selection {
        let topics = Topics.fromEnvironment()
        return DeadLetterTable.Selection(
            ids: ids,
            topic: topic.map { topics.all.contains($0) ? $0 : topics.prefix + $0 },
            service: service.map(topics.consumerGroup),
            reasonContaining: reason,
            since: try since.map { try Instant.parse($0, option: "--since") },
            until: try until.map { try Instant.parse($0, option: "--until") },
            replayed: replayed)
    }

}

extension DeadLetterCommand {
    /// The original sent again under a new id, for the stage that set it aside alone.
    static func replayEvent(of letter: DeadLetterTable.Letter, original: DeadLetterTable.Original) -> OutboxEvent {
        let replaced: Set = [KafkaHeader.eventIDName, KafkaHeader.replayForName, KafkaHeader.replayOfName, KafkaHeader.deadLetterName]
        var headers = original.headers.filter { !replaced.contains($0.name) }
        headers.append(OutboxHeader(name: KafkaHeader.replayForName, value: Array(letter.service.utf8)))
        if let eventID = letter.eventID {
            headers.append(OutboxHeader(name: KafkaHeader.replayOfName, value: Array(eventID.utf8)))
        }
        headers.append(OutboxHeader(name: KafkaHeader.deadLetterName, value: Array(String(letter.id).utf8)))
        return OutboxEvent(topic: letter.topic, key: original.key, payload: original.payload, headers: headers, eventID: UUID())
    }

    static func report(_ letters: [DeadLetterTable.Letter]) -> Report {
        Report(
            header: ["id", "dead_lettered_at", "service", "topic", "partition", "offset", "event_id", "reason", "replay"],
            rows: letters.map { letter in
                [String(letter.id), Instant.text(letter.deadLetteredAt), letter.service, letter.topic, String(letter.partition),
                 String(letter.offset), letter.eventID ?? "", letter.reason, describe(letter.replay)]
            })
    }

    static func describe(_ replay: DeadLetterTable.Replay?) -> String {
        guard let replay else { return "not replayed" }
        let outcome = switch replay.outcome {
        case .sent: "sent, not applied yet"
        case .applied(let at): "applied at \(Instant.text(at))"
        case .deadLetteredAgain(let id): "dead-lettered again as \(id)"
        }
        return "replayed at \(Instant.text(replay.at)) by \(replay.by) as \(replay.eventID.uuidString.lowercased()): \(outcome)"
    }

    /// `1 dead letter`, `2 dead letters`.
    static func counted(_ count: Int) -> String {
        count == 1 ? "1 dead letter" : "\(count) dead letters"
    }

    /// Ids as runs: `3-7, 12`.
    static func ranges(_ ids: [Int64]) -> String {
        var runs: [(Int64, Int64)] = []
        for id in ids.sorted() {
            if let last = runs.last, last.1 + 1 == id { runs[runs.count - 1].1 = id } else { runs.append((id, id)) }
        }
        return runs.map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }.joined(separator: ", ")
    }
}
