import ArgumentParser
import Contracts
import Foundation
import Kafka
import Logging
import Reports
import Store

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send an agency's referrals or evidence records (JSON Lines or CSV), signed with its key.",
        discussion: """
            Every line is checked first; a file with a bad line is refused whole, with each problem named \
            by file, line and field (or column), and nothing is sent. A file named .csv (or --input csv) is \
            read as CSV with a header row: referrals one row per person, grouped by referral_id; evidence one \
            row per record. docs/contracts.md describes the lines and the columns.
            """,
        subcommands: [Referrals.self, Evidence.self])

    struct Referrals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send referrals (one referral object per line).")
        @OptionGroup var submission: SubmissionOptions

        func run() async throws {
            try await submission.send(ReferralSubmitted.self, to: \.referralsSubmitted, noun: "referrals", csv: .referrals)
        }
    }

    struct Evidence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send evidence records (one record object per line).")
        @OptionGroup var submission: SubmissionOptions

        func run() async throws {
            try await submission.send(EvidenceSubmitted.self, to: \.evidenceSubmitted, noun: "evidence records", csv: .evidence)
        }
    }
}

struct SubmissionOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions
    @Argument(help: "The file: JSON Lines (one object per line) or CSV; - reads standard input.") var file: String
    @Option(help: "jsonl or csv; default: csv for a file named .csv, else jsonl.") var input: InputFormat?
    @Flag(help: "Check every line and say what would be sent, sending nothing.") var dryRun = false
    @Option(help: "The sending agency's id.") var agency: String
    @Option(help: "The file holding the agency's signing key (from `turnaround agency add`).") var keyFile: String
    @Flag(help: "Wait for intake's receipt for every line sent and print it; exit 1 if any line was refused or conflicts (needs DATABASE_URL).")
    var wait = false
    @Option(help: "With --wait, give up on receipts not come after this many seconds (exit 2).") var waitSeconds = 300
    @Option(help: "With --wait, also write every line's receipt to this file, as CSV (line, verdict, item, family, members, detail).")
    var receiptsFile: String?

    func validate() throws {
        if receiptsFile != nil && !wait { throw ValidationError("--receipts-file goes with --wait") }
    }

    /// Lines read, checked, signed and encoded by one task: enough that a
    /// task's overhead is small, few enough that every core has some.
    static let linesPerTask = 2_000

    /// Reads and checks every line, then signs and sends them all in order,
    /// each as the agency wrote it, in a message sent at the time of the
    /// command. Lines are read, checked and signed on every core, in runs of
    /// ``linesPerTask``.
    func send<Message: AgencySubmission>(
        _ message: Message.Type, to topic: KeyPath<Topics, String>, noun: String, csv kind: AgencyCSV.Kind
    ) async throws {
        let logger = common.makeLogger()
        let signer = try AgencyKeyFile.read(keyFile, for: agency)
        let input = try InputFile(file)
        let name = input.name
        let topicName = Topics.fromEnvironment()[keyPath: topic]
        let frame = SubmissionFrame<Message>(agency: agency, submittedAt: Date())
        let format = self.input ?? (file.lowercased().hasSuffix(".csv") ? .csv : .jsonl)
        let (lines, fileProblems) = try Self.lines(of: input, as: format, kind: kind)
        let progress = TerminalProgress(quiet: common.quiet)
        let runs = await withTaskGroup(of: (Int, [Prepared]).self) { group in
            for start in stride(from: 0, to: lines.count, by: Self.linesPerTask) {
                let run = lines[start..<min(start + Self.linesPerTask, lines.count)]
                group.addTask {
                    (start, Self.signed(run.compactMap { line in Self.prepare(line, of: name, frame: frame, topic: topicName) }, with: signer))
                }
            }
            var runs: [(Int, [Prepared])] = []
            var checked = 0
            for await run in group {
                runs.append(run)
                checked += min(Self.linesPerTask, lines.count - run.0)
                progress.show("checked \(checked) of \(lines.count) \(format == .csv ? "referrals or records" : "lines") of \(name)")
            }
            progress.clear()
            return runs.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
        var outgoing: [KafkaOutgoingMessage] = []
        var lineOfMessage: [Int] = []
        // A CSV file's row problems (rows that disagree, too many cells) come first, then each line's own.
        var problems = fileProblems
        // The first line of each id, and what it held: one id, one referral or record.
        var lineOfID: [String: (line: Int, content: Int)] = [:]
        for prepared in runs {
            switch prepared {
            case .message(let message, let line, let id, let content):
                if let first = lineOfID[id] {
                    if first.content != content {
                        problems.append("\(name):\(line): id: is line \(first.line)'s id, with other content: an id names one \(noun.dropLast())")
                    }
                } else {
                    lineOfID[id] = (line, content)
                }
                outgoing.append(message)
                lineOfMessage.append(line)
            case .problems(let found): problems += found
            }
        }
        // A file of another kind fails on every line: say what it looks like instead.
        if format == .jsonl, outgoing.isEmpty, let hint = Self.hint(input.bytes) { problems = ["\(name): \(hint)"] }
        guard problems.isEmpty else {
            InputFile.report(problems, in: name, consequence: "nothing was sent")
            throw CommandFailure.refusedStatus
        }
        guard !outgoing.isEmpty else { throw CommandFailure.refused("\(name) holds no \(noun): nothing to send") }
        if dryRun {
            common.say("dry run: \(name) holds \(outgoing.count) \(noun), each checked; they would be sent to \(topicName); nothing sent")
            return
        }

        let kafka = try common.kafkaConfiguration()
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        progress.show("sending \(outgoing.count) \(noun) to \(topicName)…")
        let reports = try await common.waiting(for: "Kafka (\(kafka.brokers.joined(separator: ",")))") { try await producer.sendAll(outgoing) }
        progress.clear()
        await producer.shutdown()
        // Failures by cause, each with the lines it struck: a broker down fails every line alike.
        var failures: [String: [Int]] = [:]
        for (index, report) in reports.enumerated() {
            if case .failure(let error) = report { failures[error.summary, default: []].append(index + 1) }
        }
        for (cause, messages) in failures.sorted(by: { $0.value[0] < $1.value[0] }) {
            let which = messages.count == 1 ? "message \(messages[0])" : "\(messages.count) messages (the first: \(messages[0]))"
            FileHandle.standardError.write(Data("\(name): \(which) not sent: \(cause)\n".utf8))
        }
        let failed = failures.values.reduce(0) { $0 + $1.count }
        common.say("sent \(outgoing.count - failed) of \(outgoing.count) \(noun) to \(topicName)")
        if failed > 0 { throw CommandFailure.environmentStatus }
        if wait {
            let sent = zip(lineOfMessage, outgoing).compactMap { line, message in message.headers.first { $0.name == KafkaHeader.eventIDName }?.value.map { (line: line, eventID: String(decoding: $0, as: UTF8.self)) } }
            try await awaitReceipts(for: sent, in: name)
        }
    }

    /// Waits for intake's receipt for each line sent, prints them in the
    /// file's order, and exits 1 if any needs the agency to act, 2 if some
    /// did not come within `--wait-seconds`.
    private func awaitReceipts(for sent: [(line: Int, eventID: String)], in name: String) async throws {
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        var answered: [String: ReceiptTable.Row] = [:]
        let progress = TerminalProgress(quiet: common.quiet)
        defer { progress.clear() }
        try await common.withPool { pool in
            while answered.count < sent.count {
                progress.show("receipts: \(answered.count) of \(sent.count)")
                let missing = sent.map(\.eventID).filter { answered[$0] == nil }
                for receipt in try await pool.withConnection({ try ReceiptTable.forEvents(missing, on: $0) }) {
                    if let id = receipt.eventID { answered[id] = receipt }
                }
                guard answered.count < sent.count, ContinuousClock.now < deadline else { break }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        var needAction = 0
        for (line, eventID) in sent {
            guard let receipt = answered[eventID] else { continue }
            let verdict = Receipt.Verdict(rawValue: receipt.verdict)
            let family = receipt.familyID.map { " (family \($0.uuidString.lowercased())" + (receipt.memberLabels.isEmpty ? ")" : "; members \(receipt.memberLabels.joined(separator: ","))") + ")" } ?? ""
            let text = "\(name):\(line): \(receipt.verdict): \(receipt.detail)\(family)"
            if verdict?.needsAction == true {
                needAction += 1
                FileHandle.standardError.write(Data((text + "\n").utf8))
            } else {
                common.say(text)
            }
        }
        common.say("receipts: " + ReceiptsCommand.summary(Array(answered.values)))
        if let receiptsFile {
            let rows = sent.compactMap { line, eventID in
                answered[eventID].map { receipt in
                    [
                        String(line), receipt.verdict, receipt.itemID ?? "", receipt.familyID?.uuidString.lowercased() ?? "",
                        receipt.memberLabels.joined(separator: ","), receipt.detail, eventID,
                    ]
                }
            }
            let document = CSV.document(header: ["line", "verdict", "item_id", "family_id", "members", "detail", "event_id"], rows: rows)
            do {
                try Data(document.utf8).write(to: URL(fileURLWithPath: receiptsFile))
            } catch {
                throw CommandFailure.environment("cannot write \(receiptsFile): \((error as NSError).localizedDescription)")
            }
            common.say("receipts written to \(receiptsFile)")
        }
        let unanswered = sent.count - answered.count
        if unanswered > 0 {
            throw CommandFailure.environment(
                "\(unanswered) of \(sent.count) lines have no receipt after \(waitSeconds) s (intake may be behind or stopped): "
                    + "`turnaround receipts` shows them once it answers")
        }
        if needAction > 0 { throw CommandFailure.refusedStatus }
    }

    /// What a file that is not JSON Lines looks like it is instead, if it looks like something.
    static func hint(_ text: [UInt8]) -> String? {
        guard let first = text.first(where: { !InputFile.jsonWhitespace.contains($0) }) else { return nil }
        if first == UInt8(ascii: "[") {
            return "holds a JSON array; send one JSON object per line (JSON Lines), e.g. `jq -c '.[]' FILE`"
        }
        let firstLine = text.prefix { $0 != UInt8(ascii: "\n") }
        if first != UInt8(ascii: "{"), firstLine.contains(UInt8(ascii: ",")) {
            return "looks like CSV: name it .csv or give --input csv (docs/contracts.md shows the columns)"
        }
        return nil
    }

    /// A line read, checked, signed and encoded, or everything wrong with it.
    /// The run's messages signed, in batches, in their order.
    static func signed(_ run: [Prepared], with signer: AgencySignature.Signer) -> [Prepared] {
        let payloads = run.compactMap { prepared -> [UInt8]? in
            if case .message(let message, _, _, _) = prepared { return message.value }
            return nil
        }
        var signatures = AgencySignature.headers(signing: payloads, with: signer).makeIterator()
        return run.map { prepared in
            guard case .message(var message, let line, let id, let content) = prepared, let headers = signatures.next() else { return prepared }
            message.headers += headers.map { KafkaHeader(name: $0.name, value: $0.value) }
            return .message(message, line: line, id: id, content: content)
        }
    }

    enum Prepared: Sendable {
        /// The message, its line, the id the agency gave it and a hash of the line.
        case message(KafkaOutgoingMessage, line: Int, id: String, content: Int)
        case problems([String])
    }

    enum InputFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    /// A line of a file, as the JSON object it holds or was read into from
    /// CSV rows, and where its fields came from.
    struct Line: Sendable {
        var text: ArraySlice<UInt8>
        var number: Int
        /// For CSV: the rows it was read from, to name a problem by line and column.
        var rows: AgencyCSV.Item?

        /// `file:line: field: problem`, or `file:line: column c: problem` for CSV.
        func describe(_ problem: ContractError.Problem, in name: String) -> String {
            guard let rows, !problem.field.isEmpty else { return "\(name):\(number): \(problem)" }
            let (line, column) = rows.place(of: problem.field)
            return "\(name):\(line): " + (column.map { "column \($0): " } ?? "\(problem.field): ") + problem.problem
        }
    }

    /// The file's lines (each line of JSON Lines, or each referral or record
    /// of CSV), and the problems of a CSV file's rows.
    /// - Throws: ``CommandFailure`` listing every problem of a CSV file's header.
    private static func lines(of input: InputFile, as format: InputFormat, kind: AgencyCSV.Kind) throws -> ([Line], [String]) {
        switch format {
        case .jsonl:
            return (input.lines.enumerated().map { Line(text: $1, number: $0 + 1) }, [])
        case .csv:
            guard let text = String(validating: input.bytes, as: UTF8.self) else {
                throw CommandFailure.refused("\(input.name) is not UTF-8 text: save it as CSV UTF-8")
            }
            switch AgencyCSV.read(text, as: kind, name: input.name) {
            case .success(let read): return (read.items.map { Line(text: $0.json[...], number: $0.line, rows: $0) }, read.problems)
            case .failure(let problems):
                InputFile.report(problems.list, in: input.name, consequence: "nothing was sent")
                throw CommandFailure.refusedStatus
            }
        }
    }

    /// One line as its message; nil for a blank line.
    private static func prepare<Message: AgencySubmission>(
        _ line: Line, of name: String, frame: SubmissionFrame<Message>, topic: String
    ) -> Prepared? {
        let text = line.text
        let number = line.number
        guard let first = text.first(where: { !InputFile.jsonWhitespace.contains($0) }) else { return nil }
        guard first == UInt8(ascii: "{") else { return .problems(["\(name):\(number): is not a JSON object"]) }
        // Checked before the line is read, on the message it would make, as intake checks it.
        let size = frame.messageSize(lineBytes: text.count)
        if let maximum = Message.maximumBytes, size > maximum {
            return .problems(["\(name):\(number): is \(size) bytes, over the \(maximum / 1024) KiB a message may hold"])
        }
        guard SubmissionFrame<Message>.isOneObject(text) else {
            return .problems(["\(name):\(number): is not one JSON object (its braces do not close, or something follows the closing one)"])
        }
        let payload = frame.message(around: text)
        do throws(ContractError) {
            // Read as intake reads it: the message the line makes.
            let built = try Message.decode(payload)
            var content = Hasher()
            text.withUnsafeBytes { content.combine(bytes: $0) }
            return .message(
                KafkaOutgoingMessage(
                    topic: topic, key: Array(built.partitionKey.utf8), value: payload,
                    headers: [.newEventID()]),
                line: number, id: built.lineID, content: content.finalize())
        } catch {
            // Named by the line's own fields (`members[0].dateOfBirth`), one a line of output.
            return .problems(error.droppingFieldPrefix(Message.lineField + ".").problems.map { line.describe($0, in: name) })
        }
    }
}
