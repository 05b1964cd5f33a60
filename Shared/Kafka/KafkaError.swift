import CRdKafka

/// An error from the Kafka layer, with librdkafka's code and text.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration, clientCreation, produceFailed, deliveryFailed
            case consumeFailed, commitFailed, subscriptionFailed, adminFailed, timedOut, closed, fatal
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A property librdkafka rejects, or a missing setting.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// librdkafka could not create the client.
        public static let clientCreation = Code(.clientCreation)
        /// A message was refused before it was queued.
        public static let produceFailed = Code(.produceFailed)
        /// A queued message was not delivered (the broker refused it, or it timed out).
        public static let deliveryFailed = Code(.deliveryFailed)
        /// The consumer reported an error from the broker.
        public static let consumeFailed = Code(.consumeFailed)
        /// Offsets could not be committed.
        public static let commitFailed = Code(.commitFailed)
        /// The subscription, assignment or pause was refused.
        public static let subscriptionFailed = Code(.subscriptionFailed)
        /// An admin request (create topic, metadata) failed.
        public static let adminFailed = Code(.adminFailed)
        /// The brokers did not answer in time.
        public static let timedOut = Code(.timedOut)
        /// The client hit a fatal error (an idempotent producer's sequence
        /// broke, say) and must be created anew.
        public static let fatal = Code(.fatal)
        /// The client was already shut down.
        public static let closed = Code(.closed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// librdkafka's error code (`rd_kafka_resp_err_t`), when it gave one.
    public var rdKafkaCode: Int32?
    /// librdkafka's text, or the layer's own; it names properties, topics and
    /// brokers, never message contents.
    public var reason: String
    public var file: String
    public var line: Int

    public init(
        _ code: Code, rdKafkaCode: Int32? = nil, reason: String, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.rdKafkaCode = rdKafkaCode
        self.reason = reason
        self.file = file
        self.line = line
    }

    init(_ code: Code, _ error: rd_kafka_resp_err_t, file: String = #fileID, line: Int = #line) {
        self.init(code, rdKafkaCode: error.rawValue, reason: String(cString: rd_kafka_err2str(error)), file: file, line: line)
    }

    /// Whether trying again later may succeed: the brokers were unreachable or
    /// slow, a queue was full, or leadership was moving.
    public var isRetriable: Bool {
        if code == .timedOut { return true }
        guard let rdKafkaCode else { return false }
        return Self.retriableCodes.contains(rdKafkaCode)
    }

    private static let retriableCodes: Set<Int32> = Set(([
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__RESOLVE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
    ] as [rd_kafka_resp_err_t]).map(\.rawValue))

    public var description: String { summary + " at \(file):\(line)" }

    /// The description without the source location: for people running a command.
    public var summary: String {
        var text = "KafkaError.\(code): \(reason)"
        if let rdKafkaCode { text += " (librdkafka \(rdKafkaCode))" }
        return text
    }
}
