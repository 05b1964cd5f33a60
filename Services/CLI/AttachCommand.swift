import ArgumentParser
import Contracts
import Foundation
import Kafka
import Rules
import Vocabulary

struct AttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Record that the authority started working with a family: the date that starts the clock for results.",
        discussion: "The first attachment of a family stands; the claims stage claims the attachment fee and, later, its results.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The family's id, as `turnaround explain` and the reports show it.") var familyID: String
    @Option(help: "The day the keyworker was assigned (YYYY-MM-DD).") var on: String
    @Option(help: "The keyworker's staff id.") var keyworker: String
    @Option(help: "Who records the attachment (your staff id), for the audit trail.") var by: String

    func run() async throws {
        let logger = common.makeLogger()
        guard let family = UUID(uuidString: familyID) else { throw ValidationError("\(familyID) is not a family id") }
        guard let attachedOn = CalendarDate(iso: on) else { throw ValidationError("--on must be a date of the form YYYY-MM-DD") }
        let message = FamilyAttached(familyID: family, attachedOn: attachedOn, keyworker: keyworker, recordedBy: by, recordedAt: Date())
        try message.validate()
        let topic = Topics.fromEnvironment().familiesAttached
        let producer = try KafkaProducer(configuration: try common.kafkaConfiguration(), logger: logger)
        _ = try await producer.send(
            KafkaOutgoingMessage(topic: topic, key: Array(message.partitionKey.utf8), value: message.encoded(), headers: [.newEventID()]))
        await producer.shutdown()
        print("attachment of family \(familyID) on \(attachedOn) sent to \(topic)")
    }
}
