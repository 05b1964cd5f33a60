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
            refused with the reason (exit 1) and nothing is sent. The claims stage then claims the attachment fee and, \
            later, the family's results.
            """)

    @OptionGroup var common: CommonOptions
    @Argument(help: "The family's id, as `turnaround families` and `explain` show it.") var familyID: String
    @Option(help: "The day the keyworker was assigned (YYYY-MM-DD).") var on: String
    @Option(help: "The keyworker's staff id.") var keyworker: String
    @Option(help: "Who records the attachment (your staff id), for the audit trail.") var by: String
    @Flag(help: "Check the attachment and say what would be sent, sending nothing.") var dryRun = false

    func validate() throws {
        if UUID(uuidString: familyID) == nil { throw ValidationError("\(familyID) is not a family id") }
        if CalendarDate(iso: on) == nil { throw ValidationError("--on \"\(on)\" is not a real date of the form YYYY-MM-DD") }
    }

    func run() async throws {
        let family = UUID(uuidString: familyID)!
        let attachedOn = CalendarDate(iso: on)!
        let message = FamilyAttached(familyID: family, attachedOn: attachedOn, keyworker: keyworker, recordedBy: by, recordedAt: Date())
        do {
            try message.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        let (decision, claimsRow) = try await common.withPool { pool in
            try await pool.withConnection { connection in
                (
                    try EligibilityDecisionTable.latest(of: [family], on: connection)[family],
                    try ClaimsFamilyTable.families([family], members: [FamilyMember].self, on: connection).first
                )
            }
        }
        let id = family.uuidString.lowercased()
        guard let decision else { throw CommandFailure.refused("family \(id) has not been screened: no decision about it is recorded") }
        guard decision.isEligible else {
            throw CommandFailure.refused("family \(id) is not eligible (decided on \(decision.decidedOn)): only an eligible family can be attached")
        }
        if let attached = claimsRow?.attachedOn {
            throw CommandFailure.refused(
                "family \(id) was attached already, on \(attached)\(claimsRow?.keyworker.map { " (keyworker \($0))" } ?? ""): its first attachment stands")
        }
        let topic = Topics.fromEnvironment().familiesAttached
        if dryRun {
            print("would send the attachment of family \(id) on \(attachedOn) (keyworker \(keyworker), recorded by \(by)) to \(topic)")
            return
        }
        let kafka = try common.kafkaConfiguration()
        let producer = try KafkaProducer(configuration: kafka, logger: common.makeLogger())
        _ = try await common.waiting(for: "Kafka (\(kafka.brokers.joined(separator: ",")))") {
            try await producer.send(
                KafkaOutgoingMessage(topic: topic, key: Array(message.partitionKey.utf8), value: message.encoded(), headers: [.newEventID()]))
        }
        await producer.shutdown()
        print("attachment of family \(id) on \(attachedOn) sent to \(topic)")
    }
}
