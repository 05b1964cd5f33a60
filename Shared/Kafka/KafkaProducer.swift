import CRdKafka
import Dispatch
import Foundation
import Logging
import Synchronization

/// Produces messages, idempotently by default: a retried send never writes a
/// message twice and messages of one partition keep their order.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: .fromEnvironment(), logger: logger)
/// let report = try await producer.send(KafkaOutgoingMessage(topic: "referrals.submitted", key: familyKey, value: body))
/// await producer.shutdown()
/// ```
/// A thread of the producer's own serves librdkafka's delivery reports.
public final class KafkaProducer: Sendable {
    /// Defaults this layer chooses; the configuration's properties override them.
    public static let defaultProperties: [String: String] = [
        "enable.idempotence": "true",
        // Java clients hash keys with murmur2: the same key lands in the same
        // partition whichever client produced it.
        "partitioner": "murmur2_random",
        "linger.ms": "5",
        "message.timeout.ms": "30000",
    ]

    /// How long a send waits for room when librdkafka's local queue is full.
    private static let queueFullPause = Duration.milliseconds(2)

    private let client: KafkaClient
    private let deliveries = DeliveryState()
    private let logger: Logger
    private let pollThread: PollThread

    /// Creates a producer and starts its delivery-report thread.
    /// - Throws: ``KafkaError`` when librdkafka rejects a property.
    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.logger = logger
        self.client = try KafkaClient(
            type: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties(defaults: Self.defaultProperties),
            context: KafkaClientContext(logger: logger, deliveries: deliveries)
        ) { configuration in
            rd_kafka_conf_set_dr_msg_cb(configuration, deliveryReportCallback)
        }
        self.pollThread = PollThread(client: client)
    }

    deinit { pollThread.stop() }

    /// The fatal error the producer hit, if it hit one (fenced by the broker,
    /// its idempotence sequence broken): it can send nothing more, and must
    /// be replaced by a new producer.
    public var fatalFailure: KafkaError? { client.fatalClientError() }

    /// Makes the producer fail as librdkafka does on a fatal error, for tests
    /// and drills of what replaces a failed producer.
    public func simulateFatalError(reason: String) {
        _ = rd_kafka_test_fatal_error(client.handle, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, reason)
    }

    /// Sends one message and waits for the broker to acknowledge it.
    /// - Returns: the partition and offset the broker stored it at.
    /// - Throws: ``KafkaError`` with ``KafkaError/Code/deliveryFailed`` when it
    ///   was not delivered within `message.timeout.ms`.
    public func send(_ message: KafkaOutgoingMessage) async throws -> KafkaDeliveryReport {
        while true {
            let outcome: SendOutcome = try await withCheckedThrowingContinuation { continuation in
                let ticket = Unmanaged.passRetained(DeliveryTicket { continuation.resume(with: $0.map(SendOutcome.delivered)) })
                let code = produce(message, opaque: ticket.toOpaque())
                guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
                ticket.release()
                if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    continuation.resume(returning: .queueFull)
                } else {
                    continuation.resume(throwing: client.fatalClientError() ?? KafkaError(.produceFailed, code))
                }
            }
            switch outcome {
            case .delivered(let report): return report
            case .queueFull: try await Task.sleep(for: Self.queueFullPause)
            }
        }
    }

    /// Sends messages in the order given and waits for every delivery report.
    /// A message that cannot even be queued (too large, say) fails at once,
    /// and so do the later messages with its topic and key, unsent, so that
    /// none of them overtakes it; the others are sent.
    /// Cancelled, it stops waiting for the broker: the messages not yet
    /// delivered are purged from librdkafka's queues and reported failed.
    /// - Returns: each message's fate, in the order given: where the broker
    ///   stored it, or why it was not delivered.
    public func sendAll(_ messages: [KafkaOutgoingMessage]) async throws -> [Result<KafkaDeliveryReport, KafkaError>] {
        let collector = DeliveryCollector(count: messages.count)
        var refused: [KafkaOrderingKey: KafkaError] = [:]
        for (index, message) in messages.enumerated() {
            let orderingKey = message.orderingKey
            if let earlier = refused[orderingKey] {
                collector.record(.failure(earlier), at: index)
                continue
            }
            while true {
                let ticket = Unmanaged.passRetained(DeliveryTicket { collector.record($0, at: index) })
                let code = produce(message, opaque: ticket.toOpaque())
                if code == RD_KAFKA_RESP_ERR_NO_ERROR { break }
                ticket.release()
                if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    try await Task.sleep(for: Self.queueFullPause)
                    continue
                }
                if let fatal = client.fatalClientError() { throw fatal }
                let failure = KafkaError(.produceFailed, code)
                refused[orderingKey] = failure
                collector.record(.failure(failure), at: index)
                break
            }
        }
        let client = client
        return await withTaskCancellationHandler {
            await collector.results()
        } onCancel: {
            // Each purged message gets its delivery report, failed: the wait ends.
            _ = rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        }
    }

    /// Queues a message without waiting for its delivery; ``flush(timeout:)``
    /// waits for all of them and reports the first that failed. Waits while
    /// librdkafka's local queue is full.
    public func enqueue(_ message: KafkaOutgoingMessage) async throws {
        try await enqueue(message, opaque: nil)
    }

    /// Waits until every queued message is delivered or has failed.
    /// - Throws: the first delivery failure of a message queued with
    ///   ``enqueue(_:)`` since the last flush, or ``KafkaError/Code/timedOut``.
    public func flush(timeout: Duration = .seconds(30)) async throws {
        let client = client
        let code = try await runBlocking(on: .global()) { rd_kafka_flush(client.handle, timeout.milliseconds) }
        if let failure = deliveries.takeFirstFailure() { throw failure }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(.timedOut, code) }
    }

    /// Flushes what is queued, within `timeout`, and stops the delivery-report thread.
    public func shutdown(timeout: Duration = .seconds(10)) async {
        do {
            try await flush(timeout: timeout)
        } catch {
            logger.info("kafka producer shut down with undelivered messages", metadata: ["error": "\(error)"])
        }
        pollThread.stop()
    }

    private func enqueue(_ message: KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer?) async throws {
        while true {
            let code = produce(message, opaque: opaque)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                // Backpressure: the delivery thread drains the queue meanwhile.
                try await Task.sleep(for: Self.queueFullPause)
                continue
            }
            if let fatal = client.fatalClientError() { throw fatal }
            throw KafkaError(.produceFailed, code)
        }
    }

    private func produce(_ message: KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer?) -> rd_kafka_resp_err_t {
        var allocations: [UnsafeMutableRawPointer?] = []
        defer { allocations.forEach { free($0) } }
        func copy(_ bytes: [UInt8]) -> UnsafeMutableRawPointer? {
            let pointer = malloc(max(1, bytes.count))
            bytes.withUnsafeBytes { if let base = $0.baseAddress { pointer?.copyMemory(from: base, byteCount: bytes.count) } }
            allocations.append(pointer)
            return pointer
        }
        func string(_ text: String) -> UnsafePointer<CChar>? {
            let pointer = strdup(text)
            allocations.append(UnsafeMutableRawPointer(pointer))
            return UnsafePointer(pointer)
        }

        var values: [rd_kafka_vu_t] = []
        values.reserveCapacity(5 + message.headers.count)
        var topic = rd_kafka_vu_t()
        topic.vtype = RD_KAFKA_VTYPE_TOPIC
        topic.u.cstr = string(message.topic)
        values.append(topic)
        var value = rd_kafka_vu_t()
        value.vtype = RD_KAFKA_VTYPE_VALUE
        value.u.mem.ptr = copy(message.value)
        value.u.mem.size = message.value.count
        values.append(value)
        if let key = message.key {
            var keyValue = rd_kafka_vu_t()
            keyValue.vtype = RD_KAFKA_VTYPE_KEY
            keyValue.u.mem.ptr = copy(key)
            keyValue.u.mem.size = key.count
            values.append(keyValue)
        }
        for header in message.headers {
            var headerValue = rd_kafka_vu_t()
            headerValue.vtype = RD_KAFKA_VTYPE_HEADER
            headerValue.u.header.name = string(header.name)
            if let bytes = header.value {
                headerValue.u.header.val = UnsafeRawPointer(copy(bytes))
                headerValue.u.header.size = bytes.count
            } else {
                headerValue.u.header.size = -1
            }
            values.append(headerValue)
        }
        var flags = rd_kafka_vu_t()
        flags.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        flags.u.i = RD_KAFKA_MSG_F_COPY
        values.append(flags)
        var ticket = rd_kafka_vu_t()
        ticket.vtype = RD_KAFKA_VTYPE_OPAQUE
        ticket.u.ptr = opaque
        values.append(ticket)

        guard let error = rd_kafka_produceva(client.handle, values, values.count) else {
            return RD_KAFKA_RESP_ERR_NO_ERROR
        }
        defer { rd_kafka_error_destroy(error) }
        return rd_kafka_error_code(error)
    }
}

/// Failures of messages queued without a ticket, kept until the next flush.
final class DeliveryState: Sendable {
    private let firstFailure = Mutex<KafkaError?>(nil)

    func record(_ failure: KafkaError) {
        firstFailure.withLock { $0 = $0 ?? failure }
    }

    func takeFirstFailure() -> KafkaError? {
        firstFailure.withLock { failure in
            defer { failure = nil }
            return failure
        }
    }
}

private enum SendOutcome: Sendable {
    case delivered(KafkaDeliveryReport)
    case queueFull
}

/// What to do with one message's delivery report, passed through librdkafka
/// as the message's opaque pointer.
private final class DeliveryTicket: Sendable {
    let report: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void

    init(_ report: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) {
        self.report = report
    }
}

/// The delivery reports of one ``KafkaProducer/sendAll(_:)``, handed over
/// when the last one came.
private final class DeliveryCollector: Sendable {
    private struct State {
        var results: [Result<KafkaDeliveryReport, KafkaError>?]
        var missing: Int
        var waiter: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), missing: count))
    }

    func record(_ result: Result<KafkaDeliveryReport, KafkaError>, at index: Int) {
        state.withLock { state in
            state.results[index] = result
            state.missing -= 1
            Self.handOverIfComplete(&state)
        }
    }

    func results() async -> [Result<KafkaDeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                state.waiter = continuation
                Self.handOverIfComplete(&state)
            }
        }
    }

    private static func handOverIfComplete(_ state: inout State) {
        guard state.missing == 0, let waiter = state.waiter else { return }
        state.waiter = nil
        waiter.resume(returning: state.results.map { $0! })
    }
}

/// Called by librdkafka on the poll thread, once per message.
private let deliveryReportCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message = message?.pointee else { return }
        let failure: KafkaError? =
            message.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(.deliveryFailed, message.err)
        if let ticketPointer = message._private {
            let ticket = Unmanaged<DeliveryTicket>.fromOpaque(ticketPointer).takeRetainedValue()
            if let failure {
                ticket.report(.failure(failure))
            } else {
                ticket.report(
                    .success(
                        KafkaDeliveryReport(
                            topic: String(cString: rd_kafka_topic_name(message.rkt)), partition: message.partition,
                            offset: message.offset)))
            }
        } else if let failure, let opaque {
            Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue().deliveries?.record(failure)
        }
    }

/// A thread that serves a client's callbacks until stopped. It holds the
/// client, so the handle is destroyed only after its last poll.
private final class PollThread: Sendable {
    private let running = Atomic<Bool>(true)

    init(client: KafkaClient) {
        let thread = Thread { [self] in
            while running.load(ordering: .acquiring) {
                rd_kafka_poll(client.handle, 100)
            }
        }
        thread.name = "turnaround.kafka.producer-poll"
        thread.start()
    }

    /// Asks the thread to end after its current poll.
    func stop() {
        running.store(false, ordering: .releasing)
    }
}
