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
            try await submission.send(Referral.self, to: \.referralsSubmitted, noun: "referrals") { agency, referral in
                ReferralSubmitted(agency: agency, submittedAt: Date(), referral: referral)
            }
        }
    }

    struct Evidence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send evidence records (one record object per line).")
        @OptionGroup var submission: SubmissionOptions

        func run() async throws {
            try await submission.send(EvidenceReport.self, to: \.evidenceSubmitted, noun: "evidence records") { agency, record in
                EvidenceSubmitted(agency: agency, submittedAt: Date(), record: record)
            }
        }
    }
}

struct SubmissionOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions
    @Argument(help: "The file: JSON Lines, one object per line.") var file: String
    @Option(help: "The sending agency's id.") var agency: String
    @Option(help: "The file holding the agency's signing key (from `turnaround agency add`).") var keyFile: String

    /// Reads and checks every line, then signs and sends them all in order.
    func send<Line: Decodable, Message: Contract>(
        _ line: Line.Type, to topic: KeyPath<Topics, String>, noun: String, message: (String, Line) -> Message
    ) async throws {
        let logger = common.makeLogger()
        guard let keyText = try? String(contentsOfFile: keyFile, encoding: .utf8),
            let key = Hex.decode(keyText.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw ValidationError("\(keyFile) does not hold a signing key (hex)") }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }

        var messages: [Message] = []
        var problems: [String] = []
        let name = URL(fileURLWithPath: file).lastPathComponent
        for (index, text) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !text.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                let built = message(agency, try ContractJSON.read(Line.self, from: Array(text.utf8)))
                try built.validate()
                messages.append(built)
            } catch {
                problems.append("\(name):\(index + 1): \(error.localLineDescription)")
            }
        }
        guard problems.isEmpty else {
            for problem in problems { FileHandle.standardError.write(Data((problem + "\n").utf8)) }
            FileHandle.standardError.write(Data("\(name): \(problems.count) line(s) refused; nothing was sent\n".utf8))
            throw ExitCode.failure
        }

        let topicName = Topics.fromEnvironment()[keyPath: topic]
        let producer = try KafkaProducer(configuration: try common.kafkaConfiguration(), logger: logger)
        let outgoing = messages.map { message in
            let payload = message.encoded()
            return KafkaOutgoingMessage(
                topic: topicName, key: Array(message.partitionKey.utf8), value: payload,
                headers: [.newEventID(), KafkaHeader(name: AgencySignature.header, value: AgencySignature.sign(payload, key: key))])
        }
        let reports = try await producer.sendAll(outgoing)
        await producer.shutdown()
        let failures = reports.enumerated().compactMap { index, report -> String? in
            guard case .failure(let error) = report else { return nil }
            return "\(name): message \(index + 1) not sent: \(error)"
        }
        for failure in failures { FileHandle.standardError.write(Data((failure + "\n").utf8)) }
        print("sent \(messages.count - failures.count) of \(messages.count) \(noun) to \(topicName)")
        if !failures.isEmpty { throw ExitCode.failure }
    }
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
