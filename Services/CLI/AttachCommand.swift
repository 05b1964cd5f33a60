import ArgumentParser
import Contracts
import Foundation
import Kafka
import Rules
import Store
import Vocabulary

struct AttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Record that the authority started working with a family: the date that starts the clock for results.",
        discussion: """
            Only a family screened and found eligible, and not attached before, can be attached: anything else is \
            refused with the reason (exit 1) and nothing is sent. `--force --reason TEXT` attaches a family screening \
            has not found eligible at your discretion, recorded with the reason and your staff id; a family attached \
            already stays attached as first recorded. The claims stage then claims the attachment fee and, later, the \
            family's results, for a family eligible at entry.

            `--file F` attaches every family of a file, JSON Lines with one object per line: \
            {"family": ID, "on": "YYYY-MM-DD", "keyworker": STAFF-ID} and, with --force, "reason": TEXT. \
            The whole file is checked first; a file with a problem is refused, each problem named by line, and \
            nothing is sent.
            """)

    @OptionGroup var common: CommonOptions
    @Argument(help: "The family's id, as `turnaround families` and `explain` show it.") var familyID: String?
    @Option(help: "The day the keyworker was assigned (YYYY-MM-DD).") var on: String?
    @Option(help: "The keyworker's staff id.") var keyworker: String?
    @Option(help: "Who records the attachment (your staff id), for the audit trail.") var by: String
    @Option(help: "A file of attachments (JSON Lines); - reads standard input.") var file: String?
    @Flag(help: "Attach a family screening has not found eligible (or not screened yet), at your discretion; needs a reason.")
    var force = false
    @Option(help: "Why the family is attached at your discretion (with --force); kept with the attachment. No names.")
    var reason: String?
    @Flag(help: "Check the attachments and say what would be sent, sending nothing.") var dryRun = false

    func validate() throws {
        if let file {
            if familyID != nil || on != nil || keyworker != nil || reason != nil {
                throw ValidationError("--file \(file) takes each attachment from the file: give no family id, --on, --keyworker or --reason")
            }
            return
        }
        guard let familyID else { throw ValidationError("give a family id (or --file)") }
        if UUID(uuidString: familyID) == nil { throw ValidationError("\(familyID) is not a family id") }
        guard let on else { throw ValidationError("give --on, the day the keyworker was assigned") }
        if CalendarDate(iso: on) == nil { throw ValidationError("--on \"\(on)\" is not a real date of the form YYYY-MM-DD") }
        if keyworker == nil { throw ValidationError("give --keyworker, the keyworker's staff id") }
        if force != (reason != nil) { throw ValidationError(force ? "--force needs --reason: why the family is attached" : "--reason goes with --force") }
    }

    /// One attachment asked for: from the command's arguments, or a line of the file.
    struct Request {
        /// The file's line, or nil for the command's own arguments.
        var line: Int?
        var message: FamilyAttached

        var family: String { message.familyID.uuidString.lowercased() }
    }

    func run() async throws {
        let recordedAt = Date()
        let requests: [Request]
        let source: String
        if let file {
            let input = try InputFile(file)
            source = input.name
            requests = try Self.read(input, by: by, force: force, at: recordedAt)
        } else {
            source = "the command"
            let message = FamilyAttached(
                familyID: UUID(uuidString: familyID!)!, attachedOn: CalendarDate(iso: on!)!, keyworker: keyworker!, recordedBy: by,
                recordedAt: recordedAt, discretion: reason)
            do {
                try message.validate()
            } catch {
                throw ValidationError("\(error)")
            }
            requests = [Request(line: nil, message: message)]
        }
        let families = requests.map(\.message.familyID)
        let (decisions, claimsRows) = try await common.withPool { pool in
            try await pool.withConnection { connection in
                (
                    try EligibilityDecisionTable.latest(of: families, on: connection),
                    try ClaimsFamilyTable.families(families, members: [FamilyMember].self, on: connection)
                )
            }
        }
        let attachedAlready = Dictionary(claimsRows.map { ($0.familyID, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        var outgoing: [FamilyAttached] = []
        for var request in requests {
            let place = request.line.map { "\(source):\($0): " } ?? ""
            do {
                request.message.discretion = try Self.check(
                    request, decision: decisions[request.message.familyID], attached: attachedAlready[request.message.familyID])
                outgoing.append(request.message)
            } catch {
                problems.append(place + error.description)
            }
        }
        guard problems.isEmpty else {
            if file == nil { throw CommandFailure.refused(problems[0]) }
            InputFile.report(problems, in: source, consequence: "nothing was sent")
            throw CommandFailure.refusedStatus
        }
        let topic = Topics.fromEnvironment().familiesAttached
        if dryRun {
            for message in outgoing { common.say("would send " + Self.describe(message)) }
            common.say("dry run: would send \(outgoing.count) attachment(s) to \(topic); nothing sent")
            return
        }
        let failed = try await sendCoordinatorMessages(outgoing, to: topic, common: common) {
            "the attachment of family \($0.familyID.uuidString.lowercased())"
        }
        if outgoing.count == 1 && failed == 0 {
            common.say(Self.describe(outgoing[0]) + " sent to \(topic)")
        } else {
            common.say("sent \(outgoing.count - failed) of \(outgoing.count) attachments to \(topic)")
        }
        if failed > 0 { throw CommandFailure.environmentStatus }
    }

    /// Why an attachment cannot be sent as asked, or the discretion it is
    /// sent with (nil for a family screening found eligible).
    static func check(
        _ request: Request, decision: EligibilityDecisionTable.Latest?, attached: ClaimsFamilyTable.Row<[FamilyMember]>?
    ) throws(AttachRefusal) -> String? {
        let family = request.family
        if let kept = attached?.mergedInto {
            throw AttachRefusal("family \(family) was merged into \(kept.uuidString.lowercased()): attach that family")
        }
        if let attachedOn = attached?.attachedOn {
            throw AttachRefusal(
                "family \(family) was attached already, on \(attachedOn)\(attached?.keyworker.map { " (keyworker \($0))" } ?? ""): its first attachment stands")
        }
        let hint = request.message.discretion == nil ? " (--force --reason TEXT attaches it at your discretion)" : ""
        guard let decision else {
            if let discretion = request.message.discretion { return discretion }
            throw AttachRefusal("family \(family) has not been screened: no decision about it is recorded\(hint)")
        }
        guard decision.isEligible else {
            if let discretion = request.message.discretion { return discretion }
            throw AttachRefusal("family \(family) is not eligible (decided on \(decision.decidedOn)): only an eligible family can be attached\(hint)")
        }
        return nil
    }

    /// Every line of a file of attachments, or every problem of every line.
    static func read(_ input: InputFile, by: String, force: Bool, at recordedAt: Date) throws -> [Request] {
        var requests: [Request] = []
        var problems: [String] = []
        var lineOfFamily: [UUID: Int] = [:]
        for (index, text) in input.lines.enumerated() where !InputFile.isBlank(text) {
            let number = index + 1
            let place = "\(input.name):\(number): "
            switch AttachmentLine.read(Array(text), by: by, at: recordedAt) {
            case .failure(let refusal): problems += refusal.problems.map { place + $0 }
            case .success(let message):
                if message.discretion != nil && !force {
                    problems.append(place + "reason: attaches the family at your discretion: give --force to send it")
                } else if let first = lineOfFamily[message.familyID] {
                    problems.append(place + "family: is line \(first)'s family too: a family is attached once")
                } else {
                    lineOfFamily[message.familyID] = number
                    requests.append(Request(line: number, message: message))
                }
            }
        }
        guard problems.isEmpty else {
            InputFile.report(problems, in: input.name, consequence: "nothing was sent")
            throw CommandFailure.refusedStatus
        }
        guard !requests.isEmpty else { throw CommandFailure.refused("\(input.name) holds no attachments: nothing to send") }
        return requests
    }

    static func describe(_ message: FamilyAttached) -> String {
        "the attachment of family \(message.familyID.uuidString.lowercased()) on \(message.attachedOn) (keyworker \(message.keyworker), "
            + "recorded by \(message.recordedBy)\(message.discretion == nil ? "" : ", at their discretion"))"
    }
}

/// Why one attachment is refused.
struct AttachRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One line of a file of attachments: `{"family": …, "on": …, "keyworker": …}`, and `"reason"` for one at the co-ordinator's discretion.
enum AttachmentLine {
    static let fields = ["family", "on", "keyworker", "reason"]

    struct Problems: Error {
        var problems: [String]
    }

    /// The attachment the line asks for, or every problem of the line.
    static func read(_ bytes: [UInt8], by: String, at recordedAt: Date) -> Result<FamilyAttached, Problems> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            return .failure(Problems(problems: ["is not a JSON object"]))
        }
        var problems: [String] = []
        for key in object.keys.sorted() where !fields.contains(key) {
            problems.append("\(key): is not a field of an attachment (\(fields.joined(separator: ", ")))")
        }
        func text(_ key: String, required: Bool = true) -> String? {
            guard let value = object[key], !(value is NSNull) else {
                if required { problems.append("\(key): is missing") }
                return nil
            }
            guard let text = value as? String else {
                problems.append("\(key): is not text")
                return nil
            }
            return text
        }
        let family = text("family").flatMap { text in
            UUID(uuidString: text) ?? { problems.append("family: is not a family id"); return nil }()
        }
        let on = text("on").flatMap { text in
            CalendarDate(iso: text) ?? { problems.append("on: is not a real date of the form YYYY-MM-DD"); return nil }()
        }
        let keyworker = text("keyworker")
        let reason = text("reason", required: false)
        guard let family, let on, let keyworker else { return .failure(Problems(problems: problems)) }
        let message = FamilyAttached(familyID: family, attachedOn: on, keyworker: keyworker, recordedBy: by, recordedAt: recordedAt, discretion: reason)
        do {
            try message.validate()
        } catch {
            problems += error.problems.map { problem in
                let field = ["attachedOn": "on", "discretion": "reason"][problem.field] ?? problem.field
                return "\(field): \(problem.problem)"
            }
        }
        return problems.isEmpty ? .success(message) : .failure(Problems(problems: problems))
    }
}
