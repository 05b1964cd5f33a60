import ArgumentParser
import Contracts
import Foundation
import StageLogic
import Store

struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "The review queue: possible matches intake never makes by itself, for a co-ordinator to merge or dismiss.",
        discussion: """
            Intake puts an item on the queue when a referral names people of two families, or names someone who \
            may be a person intake knows in another family: names a letter or two apart with the same date of \
            birth ("Jon" and "John"), the same date of birth and address under other names, or the same names with \
            day and month of birth swapped. Each item names the two families and their members by label, never by name. \
            A pair of families is put on the queue once: dismissed, it is not asked about again.
            """,
        subcommands: [List.self, Merge.self, Dismiss.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the items waiting for a decision (--all: decided ones too), oldest first.")

        @OptionGroup var common: CommonOptions
        @Flag(help: "Items merged or dismissed too, with who decided and when.") var all = false
        @Option(help: "Items raised from this day (2026-12-01, from 00:00 UTC) or time with its zone; default: all.") var since: String?
        @Option(help: "At most this many items.") var limit = 1_000
        @Option(help: "Leave out this many items first (with --limit, to page).") var offset = 0
        @Option(help: "table, csv or json.") var format: Report.Format = .table

        func validate() throws {
            if let since { _ = try Instant.parse(since, option: "--since") }
            if limit < 1 { throw ValidationError("--limit must be 1 or more") }
            if offset < 0 { throw ValidationError("--offset must be 0 or more") }
        }

        func run() async throws {
            let from = try since.map { try Instant.parse($0, option: "--since") } ?? .distantPast
            let items = try await common.withPool { pool in
                try await pool.withConnection { try ReviewItemTable.list(all: all, since: from, limit: limit, offset: offset, on: $0) }
            }
            let decided = all ? ["resolution", "resolved_by", "resolved_at", "note"] : []
            Report(
                header: ["item", "raised_at", "reason", "family_id", "other_family_id", "referral", "detail"] + decided,
                rows: items.map { item in
                    [
                        "\(item.itemID)", Instant.text(item.raisedAt), item.reason, item.familyID.uuidString.lowercased(),
                        item.otherFamilyID?.uuidString.lowercased() ?? "-", item.agencyID + "/" + item.referralID, item.detail,
                    ]
                        + (all
                            ? [item.resolution ?? "open", item.resolvedBy ?? "-", item.resolvedAt.map(Instant.text) ?? "-", item.resolutionNote ?? "-"]
                            : [])
                }
            ).print(format, summary: "\(items.count) \(all ? "" : "open ")review item\(items.count == 1 ? "" : "s")")
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge one family into another: one family from then on.",
            discussion: """
                The merged family's people join the family kept, under new labels there (P1 of the merged family may \
                become P4); its referrals follow. Screening and claims are told (families.merged): they move what \
                they hold about the merged family to the family kept and decide it once more, and count the merged \
                family's claims as the kept family's. The merged family is kept, with its history, and never decided \
                or claimed for again. The review items between the two families are resolved as merged.
                """)

        @OptionGroup var common: CommonOptions
        @Argument(help: "The family to merge away.") var family: String
        @Option(help: "The family to keep.") var into: String
        @Option(help: "Who merges them (your staff id), for the audit trail.") var by: String
        @Flag(help: "Check the merge and say what it would do, changing nothing.") var dryRun = false

        func validate() throws {
            for (value, what) in [(family, "the family to merge"), (into, "--into")] where UUID(uuidString: value) == nil {
                throw ValidationError("\(what) \"\(value)\" is not a family id")
            }
            do {
                try StaffID.check(by, field: "--by")
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() async throws {
            let merged = UUID(uuidString: family)!
            let kept = UUID(uuidString: into)!
            let topics = Topics.fromEnvironment()
            // Sent as intake's own, so intake's relay publishes it.
            let stage = topics.consumerGroup("intake")
            let outcome: FamilyMerger.Outcome
            do {
                outcome = try await common.withPool { pool in
                    try await pool.withTransaction { connection in
                        let outcome = try FamilyMerger.merge(merged, into: kept, by: by, at: Date(), dryRun: dryRun, on: connection)
                        if !dryRun {
                            let message = outcome.message
                            try OutboxTable.append(
                                [OutboxEvent(topic: topics.familiesMerged, key: Array(message.partitionKey.utf8), payload: message.encoded())],
                                stage: stage, on: connection)
                        }
                        return outcome
                    }
                }
            } catch let refusal as FamilyMerger.Refusal {
                throw CommandFailure.refused(refusal.description)
            }
            let message = outcome.message
            let moves = message.relabelled.map { "\($0.from) → \($0.to)" }.joined(separator: ", ")
            let what = "family \(family.lowercased()) into \(into.lowercased()): members \(moves.isEmpty ? "none" : moves)"
            if dryRun {
                common.say("dry run: would merge \(what); nothing changed")
                return
            }
            let items = outcome.resolvedItems.map { "\($0)" }.joined(separator: ", ")
            common.say(
                "merged \(what); \(outcome.referrals.count) referral(s) moved"
                    + (items.isEmpty ? "" : "; review item(s) \(items) resolved") + "; screening and claims are told on \(topics.familiesMerged)")
        }
    }

    struct Dismiss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that an item is no match: the two families stay two, and the pair is not raised again.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The item's number, as `turnaround review list` shows it.") var item: Int
        @Option(help: "Who decides (your staff id), for the audit trail.") var by: String
        @Option(help: "Why, kept with the item. No names.") var reason: String?

        func validate() throws {
            do {
                try StaffID.check(by, field: "--by")
                if let reason { try StaffNote.check(reason, field: "--reason") }
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() async throws {
            let found = try await common.withPool { pool in
                try await pool.withTransaction { connection -> ReviewItemTable.Item? in
                    guard let found = try ReviewItemTable.lock(item, on: connection) else { return nil }
                    if found.resolution == nil { try ReviewItemTable.dismiss(item, by: by, note: reason, at: Date(), on: connection) }
                    return found
                }
            }
            guard let found else { throw CommandFailure.refused("there is no review item \(item)") }
            if let resolution = found.resolution {
                throw CommandFailure.refused(
                    "review item \(item) was \(resolution) already, by \(found.resolvedBy ?? "-") at \(found.resolvedAt.map(Instant.text) ?? "-")")
            }
            common.say("dismissed review item \(item): families \(found.familyID.uuidString.lowercased()) and \(found.otherFamilyID?.uuidString.lowercased() ?? "-") stay two")
        }
    }
}
