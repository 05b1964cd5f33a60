import CRdKafka
import Dispatch
import Logging

/// Owns one librdkafka handle (`rd_kafka_t`) and destroys it.
///
/// `@unchecked Sendable` is safe because librdkafka's handle is thread-safe
/// for every call this layer makes on it; the layer still runs the calls that
/// block on a dispatch queue, away from Swift's cooperative threads.
final class KafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    /// Reached by librdkafka's callbacks through the handle's opaque pointer;
    /// held here so it outlives the handle.
    let context: KafkaClientContext

    /// Creates a client of `type` from properties; `prepare` may install
    /// more callbacks on the configuration before the handle takes it over.
    init(
        type: rd_kafka_type_t, properties: [String: String], context: KafkaClientContext,
        prepare: (OpaquePointer) -> Void = { _ in }
    ) throws {
        self.context = context
        let configuration = try Self.makeConfiguration(properties)
        rd_kafka_conf_set_opaque(configuration, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(configuration, logCallback)
        prepare(configuration)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, configuration, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(configuration)
            throw KafkaError(.clientCreation, reason: String(librdkafkaErrorText: errorText))
        }
        self.handle = handle
    }

    deinit { rd_kafka_destroy(handle) }

    private static func makeConfiguration(_ properties: [String: String]) throws -> OpaquePointer {
        let configuration = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(configuration, name, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(configuration)
                throw KafkaError(.invalidConfiguration, reason: "property \(name): \(String(librdkafkaErrorText: errorText))")
            }
        }
        return configuration
    }

    /// The client's fatal error, if librdkafka raised one (the idempotent
    /// producer's sequence broke, say): the client cannot be used further.
    func fatalClientError() -> KafkaError? {
        var errorText = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &errorText, errorText.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(.fatal, rdKafkaCode: code.rawValue, reason: String(librdkafkaErrorText: errorText))
    }
}

/// What librdkafka's callbacks need: the client's logger, and for a producer
/// or consumer its own state.
final class KafkaClientContext: Sendable {
    let logger: Logger
    let deliveries: DeliveryState?
    let rebalanceObserver: (@Sendable (KafkaRebalance) -> Void)?
    /// librdkafka repeats a line every second or so while a broker is down.
    let repeats = RepeatedLines(window: .seconds(10))

    init(
        logger: Logger, deliveries: DeliveryState? = nil,
        rebalanceObserver: (@Sendable (KafkaRebalance) -> Void)? = nil
    ) {
        self.logger = logger
        self.deliveries = deliveries
        self.rebalanceObserver = rebalanceObserver
    }

    static func of(_ handle: OpaquePointer?) -> KafkaClientContext? {
        rd_kafka_opaque(handle).map { Unmanaged<KafkaClientContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// librdkafka's log lines, into the client's logger at the level librdkafka
/// gave (syslog's, mapped to swift-log's); a line repeated within the window
/// is held back and counted, and the next one that gets through says how
/// many were.
private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, text in
    guard let context = KafkaClientContext.of(handle) else { return }
    let facilityText = facility.map { String(cString: $0) } ?? ""
    let message = text.map { String(cString: $0) } ?? ""
    guard let heldBack = context.repeats.admit(facilityText + "\u{0}" + message) else { return }
    var metadata: Logger.Metadata = [
        "librdkafka.level": "\(level)", "librdkafka.facility": "\(facilityText)", "librdkafka.message": "\(message)",
    ]
    if heldBack > 0 { metadata["librdkafka.repeated"] = "\(heldBack)" }
    context.logger.log(level: Logger.Level(syslogLevel: level), "librdkafka", metadata: metadata)
}

extension Logger.Level {
    /// Syslog's levels, as librdkafka uses them: 0–3 emergency to error, 4
    /// warning, 5 notice, 6 info, 7 debug.
    init(syslogLevel level: Int32) {
        switch level {
        case ...3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}

/// Runs blocking librdkafka work on `queue` and suspends until it is done.
func runBlocking<Value: Sendable>(
    on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> Value
) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        queue.async { continuation.resume(with: Result { try work() }) }
    }
}

extension Duration {
    /// Whole milliseconds, as librdkafka's timeouts take them.
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

extension String {
    /// Reads the NUL-terminated text librdkafka wrote into an error buffer.
    init(librdkafkaErrorText buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
