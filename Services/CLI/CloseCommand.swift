import ArgumentParser
import Contracts
import Foundation
import StageLogic
import Store
import Vocabulary

struct CloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Record that the authority's work with families ended: under Supporting Families, results are measured from then.",
        discussion: """
            Each family must be attached, not merged into another and not closed before, and the day must not be \
            before its attachment or in the future: otherwise every problem is named (exit 1) and nothing is sent. \
            The claims stage records the first closure of a family; a ruleset that measures results after the \
            case closed (Supporting Families: every need's outcome sustained for 6 months) claims none for a \
            family whose case is open.
            """)

    @OptionGroup var common: CommonOptions
    @Argument(help: "The families' ids, as `turnaround families` and `explain` show them.") var familyIDs: [String]
    @Option(help: "The day the case closed (YYYY-MM-DD).") var on: String
    @Option(help: "Who records the closure (your staff id), for the audit trail.") var by: String
    @Option(help: "Why the case closed, such as \"stepped down to early help\"; kept with the closure. No names.") var reason: String?
    @Flag(help: "Check the closures and say what would be sent, sending nothing.") var dryRun = false

    func validate() throws {
        guard !familyIDs.isEmpty else { throw ValidationError("give the id of each family whose case closed") }
        for id in familyIDs where UUID(uuidString: id) == nil { throw ValidationError("\(id) is not a family id") }
        guard CalendarDate(iso: on) != nil else { throw ValidationError("--on \"\(on)\" is not a real date of the form YYYY-MM-DD") }
        let families = familyIDs.compactMap(UUID.init(uuidString:))
        if Set(families).count != families.count { throw ValidationError("a family is named twice: a case closes once") }
        do {
            try closure(of: families[0], recordedAt: Date()).validate()
        } catch {
            throw ValidationError(error.problems.map { "\(["closedOn": "--on", "recordedBy": "--by", "reason": "--reason"][$0.field] ?? $0.field): \($0.problem)" }
                .joined(separator: "; "))
        }
    }

    func closure(of family: UUID, recordedAt: Date) -> FamilyClosed {
        FamilyClosed(familyID: family, closedOn: CalendarDate(iso: on)!, recordedBy: by, recordedAt: recordedAt, reason: reason)
    }

    func run() async throws {
        let recordedAt = Date()
        let outgoing = familyIDs.compactMap(UUID.init(uuidString:)).map { closure(of: $0, recordedAt: recordedAt) }
        let rows = try await common.withPool { pool in
            try await pool.withConnection { connection in
                try ClaimsFamilyTable.families(outgoing.map(\.familyID), members: [FamilyMember].self, on: connection)
            }
        }
        let byFamily = Dictionary(rows.map { ($0.familyID, $0) }, uniquingKeysWith: { first, _ in first })
        let problems = outgoing.compactMap { Self.refusal(of: $0, held: byFamily[$0.familyID]) }
        guard problems.isEmpty else {
            for problem in problems.dropLast() { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw CommandFailure.refused(problems.last! + (outgoing.count > 1 ? " (nothing was sent)" : ""))
        }
        let topic = Topics.fromEnvironment().familiesClosed
        if dryRun {
            for message in outgoing { common.say("would send " + Self.describe(message)) }
            common.say("dry run: would send \(outgoing.count) closure(s) to \(topic); nothing sent")
            return
        }
        let failed = try await sendCoordinatorMessages(outgoing, to: topic, common: common, describe: Self.describe)
        if outgoing.count == 1 && failed == 0 {
            common.say(Self.describe(outgoing[0]) + " sent to \(topic)")
        } else {
            common.say("sent \(outgoing.count - failed) of \(outgoing.count) closures to \(topic)")
        }
        if failed > 0 { throw CommandFailure.environmentStatus }
    }

    /// Why a closure cannot be sent, as the claims stage holds its family; nil when it can.
    static func refusal(of closure: FamilyClosed, held row: ClaimsFamilyRow?) -> String? {
        let family = closure.familyID.uuidString.lowercased()
        if let kept = row?.mergedInto { return "family \(family) was merged into \(kept.uuidString.lowercased()): close that family" }
        guard let attachedOn = row?.attachedOn else {
            return "family \(family) is not attached: only a family the authority works with has a case to close "
                + "(an attachment just sent counts once the claims stage has recorded it)"
        }
        if let closedOn = row?.closedOn {
            return "family \(family) was closed already, on \(closedOn)\(row?.closedBy.map { " (recorded by \($0))" } ?? ""): its first closure stands"
        }
        if closure.closedOn.description < attachedOn {
            return "family \(family) cannot close on \(closure.closedOn), before its attachment on \(attachedOn)"
        }
        return nil
    }

    static func describe(_ message: FamilyClosed) -> String {
        "the closure of family \(message.familyID.uuidString.lowercased())'s case on \(message.closedOn) (recorded by \(message.recordedBy))"
    }
}
