import ArgumentParser
import Contracts
import Digest
import Foundation
import Kafka
import Logging

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send an agency's referrals or evidence records, one JSON object per line, signed with its key.",
        discussion: """
            Every line is checked first; a file with a bad line is refused whole, with each problem named \
            by file, line and field, and nothing is sent. docs/contracts.md describes the lines.
            """,
        subcommands: [Referrals.self, Evidence.self])

    struct Referrals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send referrals (one referral object per line).")
        @OptionGroup var submission: SubmissionOptions

        func run() async throws {
            try await submission.send(ReferralSubmitted.self, to: \.referralsSubmitted, noun: "referrals")
        }
    }

    struct Evidence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send evidence records (one record object per line).")
        @OptionGroup var submission: SubmissionOptions

        func run() async throws {
            try await submission.send(EvidenceSubmitted.self, to: \.evidenceSubmitted, noun: "evidence records")
        }
    }
}

struct SubmissionOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions
    @Argument(help: "The file: JSON Lines, one object per line.") var file: String
    @Option(help: "The sending agency's id.") var agency: String
    @Option(help: "The file holding the agency's signing key (from `turnaround agency add`).") var keyFile: String

    /// Lines read, checked, signed and encoded by one task: enough that a
    /// task's overhead is small, few enough that every core has some.
    static let linesPerTask = 2_000

    /// Reads and checks every line, then signs and sends them all in order,
    /// each as the agency wrote it, in a message sent at the time of the
    /// command. Lines are read, checked and signed on every core, in runs of
    /// ``linesPerTask``.
    func send<Message: AgencySubmission>(_ message: Message.Type, to topic: KeyPath<Topics, String>, noun: String) async throws {
        let logger = common.makeLogger()
        guard let keyText = try? String(contentsOfFile: keyFile, encoding: .utf8),
            let key = Hex.decode(keyText.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw CommandFailure.refused("\(keyFile) does not hold a signing key (hex)") }
        guard let data = FileManager.default.contents(atPath: file) else { throw CommandFailure.refused("cannot read \(file)") }

        let name = URL(fileURLWithPath: file).lastPathComponent
        let topicName = Topics.fromEnvironment()[keyPath: topic]
        let frame = SubmissionFrame<Message>(agency: agency, submittedAt: Date())
        // A file saved with a byte-order mark: the mark is not part of line 1.
        let text = [UInt8](data).starts(with: Self.byteOrderMark) ? [UInt8](data.dropFirst(Self.byteOrderMark.count)) : [UInt8](data)
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let runs = await withTaskGroup(of: (Int, [Prepared]).self) { group in
            for start in stride(from: 0, to: lines.count, by: Self.linesPerTask) {
                let run = lines[start..<min(start + Self.linesPerTask, lines.count)]
                group.addTask {
                    (start, run.enumerated().compactMap { offset, text in
                        Self.prepare(text, line: start + offset + 1, of: name, frame: frame, key: key, topic: topicName)
                    })
                }
            }
            var runs: [(Int, [Prepared])] = []
            for await run in group { runs.append(run) }
            return runs.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
        var outgoing: [KafkaOutgoingMessage] = []
        var problems: [String] = []
        for prepared in runs {
            switch prepared {
            case .message(let message): outgoing.append(message)
            case .problem(let problem): problems.append(problem)
            }
        }
        guard problems.isEmpty else {
            for problem in problems { FileHandle.standardError.write(Data((problem + "\n").utf8)) }
            FileHandle.standardError.write(Data("\(name): \(problems.count) line(s) refused; nothing was sent\n".utf8))
            throw ExitCode.failure
        }

        let producer = try KafkaProducer(configuration: try common.kafkaConfiguration(), logger: logger)
        let reports = try await producer.sendAll(outgoing)
        await producer.shutdown()
        let failures = reports.enumerated().compactMap { index, report -> String? in
            guard case .failure(let error) = report else { return nil }
            return "\(name): message \(index + 1) not sent: \(error)"
        }
        for failure in failures { FileHandle.standardError.write(Data((failure + "\n").utf8)) }
        print("sent \(outgoing.count - failures.count) of \(outgoing.count) \(noun) to \(topicName)")
        if !failures.isEmpty { throw ExitCode.failure }
    }

    /// A line read, checked, signed and encoded, or what is wrong with it.
    enum Prepared: Sendable {
        case message(KafkaOutgoingMessage)
        case problem(String)
    }

    /// One line as its message; nil for a blank line.
    private static func prepare<Message: AgencySubmission>(
        _ text: ArraySlice<UInt8>, line number: Int, of name: String, frame: SubmissionFrame<Message>, key: [UInt8], topic: String
    ) -> Prepared? {
        guard let first = text.first(where: { !Self.jsonWhitespace.contains($0) }) else { return nil }
        guard first == UInt8(ascii: "{") else { return .problem("\(name):\(number): is not a JSON object") }
        guard text.count <= Self.longestLine else { return .problem("\(name):\(number): is longer than \(Self.longestLine) bytes") }
        do {
            let built = frame.message(try ContractJSON.read(Message.Line.self, from: Array(text)))
            try built.validate()
            let payload = frame.message(around: text)
            return .message(
                KafkaOutgoingMessage(
                    topic: topic, key: Array(built.partitionKey.utf8), value: payload,
                    headers: [.newEventID(), KafkaHeader(name: AgencySignature.header, value: AgencySignature.sign(payload, key: key))]))
        } catch {
            return .problem("\(name):\(number): \(error.localLineDescription)")
        }
    }

    /// The longest line sent, well inside a Kafka message's megabyte.
    static let longestLine = 256 * 1024
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The bytes JSON lets stand between values: a line of only these is blank.
    private static let jsonWhitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
}

extension Error {
    /// A contract problem named by the line's own fields (`members[0].dateOfBirth`).
    fileprivate var localLineDescription: String {
        guard var error = self as? ContractError else { return "\(self)" }
        for prefix in ["referral.", "record."] where error.field.hasPrefix(prefix) {
            error.field.removeFirst(prefix.count)
        }
        return error.description
    }
}
