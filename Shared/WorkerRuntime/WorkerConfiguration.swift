import Logging
import Postgres

/// How a worker consumes and retries.
public struct WorkerConfiguration: Sendable {
    /// The service's name: its consumer group, its inbox, the `dlq-service` header.
    public var serviceName: String
    /// The topics it consumes.
    public var topics: [String]
    /// The most messages applied in one transaction. Default 500.
    public var batchSize: Int
    /// How many transactions apply messages side by side, each over whole
    /// partitions. Default 4; keep it below the database pool's size.
    public var lanes: Int
    /// The most messages polled and waiting for their lanes. Default 20 × the
    /// batch size: librdkafka hands out one partition's prefetched run at a
    /// time, so reading ahead past it is what lets lanes work side by side.
    public var readAhead: Int
    /// How long a poll waits for a first message. Default 100 ms. Batches
    /// fill while the lane applies the one before, so they never wait to fill.
    public var batchMaxWait: Duration
    /// How often applied offsets are committed to Kafka. Default 100 ms.
    /// Longer means fewer commits and more messages read again (and skipped
    /// by the inbox) after a crash.
    public var commitInterval: Duration
    /// The first pause after a transient fault; it doubles up to ``retryMaxDelay``. Default 100 ms.
    public var retryInitialDelay: Duration
    /// The longest pause between retries. Default 10 s.
    public var retryMaxDelay: Duration
    /// The most outbox events published in one round. Default 500.
    public var relayBatchSize: Int
    /// How long the relay waits for a commit's notification before it looks anyway. Default 1 s.
    public var relayPollInterval: Duration
    /// How long applied events stay in the inbox and published ones in the
    /// outbox. Default 7 days. A message redelivered after its inbox row is
    /// gone is applied again: keep this longer than the longest redelivery
    /// to survive (a consumer down with uncommitted offsets, a relay down
    /// with published but unmarked events).
    public var retention: Duration
    /// How long the messages this stage dead-letters keep their original
    /// bytes in the dead-letter table (`turnaround dlq`). Default 30 days:
    /// long enough to fix the cause and replay, short enough not to hoard
    /// the personal data they may hold.
    public var deadLetterRetention: Duration
    /// How often the inbox, the outbox and the dead letters are pruned. Default 1 hour.
    public var retentionSweepInterval: Duration

    public init(
        serviceName: String, topics: [String], batchSize: Int = 500, lanes: Int = 4, readAhead: Int? = nil,
        batchMaxWait: Duration = .milliseconds(100), commitInterval: Duration = .milliseconds(100),
        retryInitialDelay: Duration = .milliseconds(100), retryMaxDelay: Duration = .seconds(10),
        relayBatchSize: Int = 500, relayPollInterval: Duration = .seconds(1), retention: Duration = .seconds(7 * 24 * 3600),
        deadLetterRetention: Duration = .seconds(30 * 24 * 3600), retentionSweepInterval: Duration = .seconds(3600)
    ) {
        self.serviceName = serviceName
        self.topics = topics
        self.batchSize = batchSize
        self.lanes = max(1, lanes)
        self.readAhead = readAhead ?? 20 * batchSize
        self.batchMaxWait = batchMaxWait
        self.commitInterval = commitInterval
        self.retryInitialDelay = retryInitialDelay
        self.retryMaxDelay = retryMaxDelay
        self.relayBatchSize = relayBatchSize
        self.relayPollInterval = relayPollInterval
        self.retention = retention
        self.deadLetterRetention = deadLetterRetention
        self.retentionSweepInterval = retentionSweepInterval
    }
}

extension WorkerConfiguration {
    /// A pool of one connection for a loop that runs beside the consumer
    /// (the outbox relay, the retention sweep, put-off work), so it never
    /// waits behind the lanes; shown as `<service>-<loop>` among the server's sessions.
    func connectionOfItsOwn(_ postgres: PostgresConfiguration, for loop: String, logger: Logger) -> PostgresPool {
        var own = postgres
        own.maxConnections = 1
        own.applicationName = serviceName + "-" + loop
        return PostgresPool(configuration: own, logger: logger)
    }

    /// `logger`, naming the service on every line.
    func naming(_ logger: Logger) -> Logger {
        var logger = logger
        logger[metadataKey: "service"] = "\(serviceName)"
        return logger
    }
}
