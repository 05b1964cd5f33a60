import CRdKafka
import Dispatch
import Logging
import Synchronization

/// A consumer-group member with manual offset commits.
///
/// ```swift
/// let consumer = try KafkaConsumer(configuration: .fromEnvironment(), groupID: "screening", logger: logger)
/// try await consumer.subscribe(to: ["referrals.accepted"])
/// while running {
///     let batch = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200))
///     try apply(batch)                      // effects committed in Postgres first
///     try await consumer.commit(batch)      // then the offsets
/// }
/// await consumer.close()
/// ```
/// Offsets move only when ``commit(_:)`` or ``commitStored(waitForResult:)``
/// says so. Rebalance callbacks run inside ``poll(maxMessages:timeout:)``;
/// when partitions are revoked the consumer first commits the offsets
/// committed or stored so far, and the next owner starts right after them.
/// A consumer that applies messages while it polls (as the worker runtime
/// does) marks each applied batch with ``store(_:)``.
public final class KafkaConsumer: Sendable {
    /// Defaults this layer chooses; the configuration's properties override them.
    /// The short session timeout and heartbeat make a group settle in seconds.
    public static let defaultProperties: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        "enable.partition.eof": "false",
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
        // Some brokers (Tansu) hold every fetch for the whole wait even when
        // data is there; a short wait keeps end-to-end latency in milliseconds
        // at the cost of more idle fetch requests.
        "fetch.wait.max.ms": "25",
        // What librdkafka prefetches is a large part of a worker's memory:
        // 4 MiB (its default is 64 MiB) still keeps every lane fed; under a
        // 20,000-family backlog intake peaked at 107 MiB with it, 145-155 MiB
        // with 16 MiB, at the same rates.
        "queued.max.messages.kbytes": "4096",
    ]

    fileprivate let client: KafkaClient
    private let logger: Logger
    /// Every call that can block runs here, one at a time.
    private let queue: DispatchQueue
    private let closed = Atomic<Bool>(false)

    /// Creates a member of consumer group `groupID`.
    /// - Parameter onRebalance: told of every assignment and revocation, on
    ///   the consumer's own thread, after a revocation's offsets are committed.
    /// - Throws: ``KafkaError`` when librdkafka rejects a property.
    public init(
        configuration: KafkaConfiguration, groupID: String, logger: Logger,
        onRebalance: (@Sendable (KafkaRebalance) -> Void)? = nil
    ) throws {
        var defaults = Self.defaultProperties
        defaults["group.id"] = groupID
        self.logger = logger
        self.queue = DispatchQueue(label: "turnaround.kafka.consumer.\(groupID)")
        self.client = try KafkaClient(
            type: RD_KAFKA_CONSUMER, properties: configuration.librdkafkaProperties(defaults: defaults),
            context: KafkaClientContext(logger: logger, rebalanceObserver: onRebalance)
        ) { configuration in
            rd_kafka_conf_set_rebalance_cb(configuration, rebalanceCallback)
        }
        rd_kafka_poll_set_consumer(client.handle)
    }

    /// Joins the group for these topics; partitions arrive with later polls.
    public func subscribe(to topics: [String]) async throws {
        let client = client
        try await runBlocking(on: queue) {
            let list = TopicPartitionList(topics.map { KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
            let code = rd_kafka_subscribe(client.handle, list.pointer)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(.subscriptionFailed, code) }
        }
    }

    /// Waits up to `timeout` for a first message, then takes whatever else is
    /// already fetched, up to `maxMessages`. Serves rebalances meanwhile.
    /// - Returns: the messages in partition order; empty when none came.
    /// - Throws: ``KafkaError/Code/consumeFailed`` for an error the broker
    ///   reported (an unknown topic, say) when no message came with it.
    public func poll(maxMessages: Int = 500, timeout: Duration = .milliseconds(500)) async throws -> [KafkaMessage] {
        let client = client
        let logger = logger
        return try await runBlocking(on: queue) {
            var batch: [KafkaMessage] = []
            var wait = timeout.milliseconds
            var reported: KafkaError?
            while batch.count < maxMessages, let message = rd_kafka_consumer_poll(client.handle, wait) {
                defer { rd_kafka_message_destroy(message) }
                wait = 0
                let code = message.pointee.err
                if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                    batch.append(KafkaMessage(copying: message))
                } else if code.rawValue < 0 {
                    // librdkafka's own condition (a broker connection dropped):
                    // it recovers by itself.
                    logger.debug("kafka consumer notice", metadata: ["error": "\(KafkaError(.consumeFailed, code))"])
                } else {
                    reported = reported ?? KafkaError(.consumeFailed, code)
                }
            }
            if let fatal = client.fatalClientError() { throw fatal }
            if let reported {
                guard !batch.isEmpty else { throw reported }
                logger.info("kafka consumer error", metadata: ["error": "\(reported)"])
            }
            return batch
        }
    }

    /// Commits, synchronously, the offsets after these messages: the group
    /// resumes after them. Call it only once their effects are durable.
    public func commit(_ messages: [KafkaMessage]) async throws {
        let offsets = Self.nextOffsets(after: messages)
        guard !offsets.isEmpty else { return }
        let client = client
        try await runBlocking(on: queue) {
            let list = TopicPartitionList(offsets.keys.sorted(), offsets: offsets)
            // Stored too, so a revocation commits them if this commit fails.
            _ = rd_kafka_offsets_store(client.handle, list.pointer)
            let code = rd_kafka_commit(client.handle, list.pointer, 0)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(.commitFailed, code) }
        }
    }

    /// Marks the offsets after these messages as ready to commit, without
    /// committing: ``commitStored(waitForResult:)`` and every revocation
    /// commit them. Call it only once their effects are durable.
    ///
    /// It does not block (librdkafka takes a lock and returns), so it runs on
    /// the caller's thread. Offsets of partitions this member no longer holds
    /// are ignored: their next owner starts from the last commit.
    public func store(_ messages: [KafkaMessage]) {
        let next = Self.nextOffsets(after: messages)
        guard !next.isEmpty else { return }
        let list = TopicPartitionList(next.keys.sorted(), offsets: next)
        _ = rd_kafka_offsets_store(client.handle, list.pointer)
    }

    /// Commits the stored offsets. Without `waitForResult` the commit is sent
    /// and the call returns: a commit that fails is made good by the next
    /// one, or by the inbox that skips what comes again.
    public func commitStored(waitForResult: Bool) async throws {
        let client = client
        try await runBlocking(on: queue) {
            let code = rd_kafka_commit(client.handle, nil, waitForResult ? 0 : 1)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR__NO_OFFSET else {
                throw KafkaError(.commitFailed, code)
            }
        }
    }

    /// Stops fetching from these partitions; the consumer stays in its group.
    public func pause(_ partitions: [KafkaTopicPartition]) async throws {
        try await changePartitions(partitions, rd_kafka_pause_partitions)
    }

    /// Fetches again from paused partitions.
    public func resume(_ partitions: [KafkaTopicPartition]) async throws {
        try await changePartitions(partitions, rd_kafka_resume_partitions)
    }

    /// Whether a broker answers a metadata request within `timeout`: for
    /// readiness. Never throws: a broker that does not answer is the answer.
    /// Asked off the polling queue (librdkafka's handle is thread-safe), so a
    /// probe never holds up a poll.
    public func brokerAnswers(timeout: Duration) async -> Bool {
        let client = client
        return (try? await runBlocking(on: .global()) {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(client.handle, 0, nil, &metadata, timeout.milliseconds)
            if let metadata { rd_kafka_metadata_destroy(metadata) }
            return code == RD_KAFKA_RESP_ERR_NO_ERROR
        }) ?? false
    }

    /// The partitions this member holds now.
    public func assignment() async throws -> [KafkaTopicPartition] {
        let client = client
        return try await runBlocking(on: queue) {
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let code = rd_kafka_assignment(client.handle, &list)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(.subscriptionFailed, code) }
            return TopicPartitionList(adopting: list).entries.map(\.partition).sorted()
        }
    }

    /// The group's committed offsets (the next offset to read) for these
    /// partitions; a partition with no commit is absent.
    public func committedOffsets(
        for partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)
    ) async throws -> [KafkaTopicPartition: Int64] {
        let client = client
        return try await runBlocking(on: queue) {
            let list = TopicPartitionList(partitions)
            let code = rd_kafka_committed(client.handle, list.pointer, timeout.milliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(.timedOut, code) }
            return list.entries.reduce(into: [:]) { offsets, entry in
                if entry.offset >= 0 { offsets[entry.partition] = entry.offset }
            }
        }
    }

    /// Where this group starts reading each partition when nothing of it
    /// has been read yet: its committed offset, else the partition's first
    /// offset (the consumer starts at the earliest), asked of the broker.
    public func startingOffsets(
        for partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)
    ) async throws -> [KafkaTopicPartition: Int64] {
        var offsets = try await committedOffsets(for: partitions, timeout: timeout)
        let client = client
        for partition in partitions where offsets[partition] == nil {
            offsets[partition] = try await runBlocking(on: queue) {
                var low: Int64 = 0
                var high: Int64 = 0
                let code = rd_kafka_query_watermark_offsets(
                    client.handle, partition.topic, partition.partition, &low, &high, timeout.milliseconds)
                guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(.timedOut, code) }
                return low
            }
        }
        return offsets
    }

    /// Leaves the group: revokes the partitions (committing processed
    /// offsets first) and closes the connection. A second call does nothing.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let client = client
        let logger = logger
        _ = try? await runBlocking(on: queue) {
            let code = rd_kafka_consumer_close(client.handle)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.info("kafka consumer closed with an error", metadata: ["error": "\(KafkaError(.closed, code))"])
            }
        }
    }

    /// Per partition, the offset after the last of these messages.
    public static func nextOffsets(after messages: [KafkaMessage]) -> [KafkaTopicPartition: Int64] {
        var next: [KafkaTopicPartition: Int64] = [:]
        for message in messages {
            next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.offset + 1)
        }
        return next
    }

    private func changePartitions(
        _ partitions: [KafkaTopicPartition],
        _ change: @escaping @Sendable (OpaquePointer?, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) ->
            rd_kafka_resp_err_t
    ) async throws {
        let client = client
        try await runBlocking(on: queue) {
            let list = TopicPartitionList(partitions)
            let code = change(client.handle, list.pointer)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(.subscriptionFailed, code) }
        }
    }
}

/// A change of the partitions a consumer holds.
public enum KafkaRebalance: Sendable, Equatable {
    case assigned([KafkaTopicPartition])
    case revoked([KafkaTopicPartition])
}

/// Called by librdkafka inside `rd_kafka_consumer_poll`, on the consumer's queue.
private let rebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
        UnsafeMutableRawPointer?
    ) -> Void = { handle, event, partitions, opaque in
        guard let handle, let opaque else { return }
        let context = Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
        let changed = partitions.map { TopicPartitionList.entries(of: $0).map(\.partition) } ?? []
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        switch event {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                rd_kafka_assign(handle, partitions)
            }
            context.logger.info("kafka partitions assigned", metadata: ["partitions": "\(changed)"])
            context.rebalanceObserver?(.assigned(changed))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            // Commit what was processed before another member takes over.
            let code = rd_kafka_commit(handle, nil, 0)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
                context.logger.info(
                    "kafka commit on revocation failed", metadata: ["error": "\(KafkaError(.commitFailed, code))"])
            }
            context.rebalanceObserver?(.revoked(changed))
            if cooperative {
                if let error = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(error) }
            } else {
                rd_kafka_assign(handle, nil)
            }
            context.logger.info("kafka partitions revoked", metadata: ["partitions": "\(changed)"])
        default:
            context.logger.info("kafka rebalance failed", metadata: ["error": "\(KafkaError(.subscriptionFailed, event))"])
            rd_kafka_assign(handle, nil)
        }
    }

extension KafkaMessage {
    /// Copies a message out of librdkafka's buffers.
    init(copying message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let raw = message.pointee
        var headers: [KafkaHeader] = []
        var headerList: OpaquePointer?
        if rd_kafka_message_headers(message, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(headerList, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(
                    KafkaHeader(
                        name: name.map { String(cString: $0) } ?? "",
                        value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        self.init(
            topic: String(cString: rd_kafka_topic_name(raw.rkt)), partition: raw.partition, offset: raw.offset,
            key: raw.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.key_len)) },
            value: raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? [],
            headers: headers)
    }
}

extension KafkaConsumer {
    /// The partition's log-end offset as last seen in a fetch response,
    /// without asking the broker; nil before any fetch.
    public func cachedLogEndOffset(of partition: KafkaTopicPartition) -> Int64? {
        var low: Int64 = 0
        var high: Int64 = 0
        let code = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        return code == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? high : nil
    }
}
