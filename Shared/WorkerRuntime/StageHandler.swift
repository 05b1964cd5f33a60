import Contracts
import Foundation
import Kafka
import Logging
import Store

/// How a stage reads the topics it consumes: one decoder a topic. The
/// table is also the list of topics the stage subscribes to.
public struct TopicDecoders<Event: Sendable>: Sendable {
    public typealias Decoder = @Sendable (KafkaMessage) throws(ContractError) -> Event

    /// The stage, as a rejection names it.
    public let stage: String
    private let decoders: [String: Decoder]

    public init(stage: String, _ decoders: [String: Decoder]) {
        self.stage = stage
        self.decoders = decoders
    }

    /// The topics the stage reads.
    public var topics: [String] { decoders.keys.sorted() }

    /// Reads a message with its topic's decoder.
    /// - Throws: ``Rejection`` naming the field that is wrong, or the topic
    ///   the stage does not read.
    public func decode(_ message: KafkaMessage) throws(Rejection) -> Event {
        guard let decoder = decoders[message.topic] else { throw Rejection("\(stage) does not read topic \(message.topic)") }
        do throws(ContractError) {
            return try decoder(message)
        } catch {
            throw Rejection(error.description)
        }
    }
}

/// A pipeline stage: a handler whose messages are contracts, read by topic.
public protocol StageHandler: WorkerHandler {
    /// The consumer group (under the topics' prefix), the logger's name, what
    /// a rejection names and the schema the handler works in.
    static var stage: Stage { get }
    var decoders: TopicDecoders<Event> { get }
}

extension StageHandler {
    public func decode(_ message: KafkaMessage) throws(Rejection) -> Event {
        try decoders.decode(message)
    }
}

extension Worker {
    /// A stage's whole `main`: logging and metrics for the process, the
    /// topics' prefix and the options read, the handler made, then ``run``
    /// under the consumer group `<TOPIC_PREFIX><stage>` on the handler's topics.
    /// - Parameters:
    ///   - executable: the process's name, on every log line.
    ///   - makeHandler: builds the handler (reading its own settings) for these topics.
    public static func main<Handler: StageHandler>(
        executable: String, options: WorkerOptions,
        makeHandler: (Topics, Logger) throws -> Handler
    ) async throws {
        let registry = try bootstrapProcess(service: executable)
        let topics = Topics.fromEnvironment()
        let logger = Logger(label: "turnaround." + Handler.stage.rawValue)
        let handler = try makeHandler(topics, logger)
        let resolved = try options.resolve(serviceName: topics.consumerGroup(Handler.stage.rawValue), topics: handler.decoders.topics)
        try await run(handler, stage: Handler.stage, options: resolved, registry: registry, logger: logger)
    }
}
