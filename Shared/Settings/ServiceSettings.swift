import Vocabulary

/// Every setting the services and the `turnaround` tool read, each declared
/// once: the README's configuration tables are these rows, in this order.
public enum ServiceSettings {
    /// The tables of the README, each under its heading, in order.
    public static let tables: [[any DescribedSetting]] = [connections, programme, screening, claims, worker]

    // MARK: Every process

    public static let connections: [any DescribedSetting] = [databaseURL, databasePoolSize, kafkaBrokers, kafkaProperties, topicPrefix]

    public static let databaseURL = Setting<String>.text(
        "DATABASE_URL", meaning: "a libpq connection URI, e.g. `postgresql://user:pw@host:5432/turnaround`", default: nil)
    public static let databasePoolSize = Setting.positiveNumber(
        "DATABASE_POOL_SIZE",
        meaning: "connections in a process's pool, for its lanes; the outbox relay, put-off work, retention sweep and backlog report each hold one more of their own",
        default: 10)
    public static let kafkaBrokers = Setting<String>.text("KAFKA_BROKERS", meaning: "comma-separated bootstrap brokers, `host:port`", default: nil)
    public static let kafkaProperties = SettingFamily(
        prefix: "KAFKA_PROP_",
        meaning: "any librdkafka property: `KAFKA_PROP_SECURITY_PROTOCOL=ssl` sets `security.protocol` (lower-cased, `_` read as `.`)")
    public static let topicPrefix = Setting<String>(
        "TOPIC_PREFIX", meaning: "put before every topic name, so several programmes (or test runs) share a cluster", expected: "text",
        default: "", shownDefault: "—", parse: { $0 })

    // MARK: Screening and claims

    public static let programme: [any DescribedSetting] = [ruleset, asOfDate]

    public static let ruleset = Setting<String>.text(
        "RULESET", option: "ruleset",
        meaning: "a shipped ruleset (`phase1-2012`, `phase2-2015`, `supporting-families-2022`) or a ruleset file's path",
        default: "phase1-2012")
    public static let asOfDate = Setting<CalendarDate?>(
        "AS_OF_DATE", option: "as-of",
        meaning: "decide and measure as of this date (`YYYY-MM-DD`) instead of today: replays and back-dated programmes",
        expected: "a date of the form YYYY-MM-DD", default: .some(nil), shownDefault: "today",
        // A date, or nil when the text is not one; written out, because a
        // plain `CalendarDate?` would be taken as "read: no date".
        parse: { text -> CalendarDate?? in CalendarDate(iso: text).map { .some($0) } })

    // MARK: Screening

    public static let screening: [any DescribedSetting] = [screeningSettle, screeningEvidenceWait, screeningLongestWait]

    public static let screeningSettle = Setting.positiveNumber(
        "SCREENING_SETTLE_MS", option: "settle-ms",
        meaning: "milliseconds a family's events must stop coming before it is decided; a family's records reach screening through partitions that are not read in step, seconds apart under a bulk load, so shorter makes more decisions from half a family",
        default: 15_000)
    public static let screeningEvidenceWait = Setting.positiveNumber(
        "SCREENING_EVIDENCE_WAIT_S", option: "evidence-wait-s",
        meaning: "seconds a family referred with no evidence yet, and never decided, waits for its first evidence before it is decided (not eligible)",
        default: 300)
    public static let screeningLongestWait = Setting.positiveNumber(
        "SCREENING_LONGEST_WAIT_S", option: "longest-wait-s",
        meaning: "seconds at most a family waits for its decision after its first event since the last one, however often its events keep coming",
        default: 900)

    // MARK: Claims

    public static let claims: [any DescribedSetting] = [claimsSweepInterval]

    public static let claimsSweepInterval = Setting.positiveNumber(
        "CLAIMS_SWEEP_INTERVAL_S", option: "sweep-interval-s",
        meaning: "seconds between looks for eligible, attached families not measured today; each is measured once a day, so results that time earns are claimed with no event to prompt them",
        default: 600)

    // MARK: Workers

    public static let worker: [any DescribedSetting] = [
        batchSize, lanes, batchMaxWait, commitInterval, retryMaxDelay, shutdownTimeout, retention, deadLetterRetention, relay, httpPort,
        logLevel, logFormat, version,
    ]

    public static let batchSize = Setting.positiveNumber(
        "WORKER_BATCH_SIZE", option: "batch-size", meaning: "messages applied in one transaction", default: 500)
    public static let lanes = Setting.positiveNumber(
        "WORKER_LANES", option: "lanes",
        meaning: "transactions applying messages side by side, each over whole partitions (keep below `DATABASE_POOL_SIZE`)", default: 4)
    public static let batchMaxWait = Setting.positiveNumber(
        "WORKER_BATCH_MAX_WAIT_MS", option: "batch-max-wait-ms", meaning: "milliseconds a poll waits for a first message", default: 100)
    public static let commitInterval = Setting.positiveNumber(
        "WORKER_COMMIT_INTERVAL_MS", option: "commit-interval-ms",
        meaning: "milliseconds between commits of applied offsets to Kafka (longer: fewer commits, more re-reads after a crash, which the inbox skips)",
        default: 100)
    public static let retryMaxDelay = Setting.positiveNumber(
        "WORKER_RETRY_MAX_DELAY_MS", option: "retry-max-delay-ms", meaning: "longest pause, in milliseconds, between retries of a transient fault",
        default: 10_000)
    public static let shutdownTimeout = Setting.positiveNumber(
        "WORKER_SHUTDOWN_TIMEOUT_S", option: "shutdown-timeout-s",
        meaning: "seconds a graceful shutdown may take; past it, the work in hand is cancelled (redelivered later), logged at error, and the process exits non-zero",
        default: 30)
    public static let retention = Setting.positiveNumber(
        "WORKER_RETENTION_HOURS", option: "retention-hours",
        meaning: "hours applied events stay in the inbox and published ones in the outbox (pruned hourly); a message redelivered after its inbox row is gone is applied again, so keep it above the longest redelivery to survive: a consumer down with uncommitted offsets, a relay down with published but unmarked events",
        default: 168)
    public static let deadLetterRetention = Setting.positiveNumber(
        "WORKER_DEAD_LETTER_RETENTION_DAYS", option: "dead-letter-retention-days",
        meaning: "days a dead letter keeps its original bytes for `turnaround dlq show` and `replay` (pruned hourly)", default: 30)
    public static let relay = Setting<String>.oneOf(
        ["on", "off"], "WORKER_RELAY", option: "relay", meaning: "`off` when the outbox relay runs as its own process", default: "on")
    public static let httpPort = Setting<Int>(
        "WORKER_HTTP_PORT", option: "http-port", meaning: "port of `/healthz`, `/readyz`, `/metrics` (0: any free port)",
        expected: "a port number (0-65535)", default: 8080, shownDefault: "8080", parse: { Int($0).flatMap { (0...65_535).contains($0) ? $0 : nil } })
    public static let logLevel = Setting<String>.oneOf(
        ["trace", "debug", "info", "notice", "warning", "error", "critical"], "LOG_LEVEL",
        meaning: "`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`", default: "info")
    public static let logFormat = Setting<String>.oneOf(
        ["text", "json"], "LOG_FORMAT",
        meaning: "`text` for people, `json` (one object a line) for log shippers; either way every line names the service and has a UTC time to the millisecond; librdkafka's lines keep its level, and a line it repeats within 10 s is held back and counted (`librdkafka.repeated`)",
        default: "text")
    public static let version = Setting<String>.text(
        "TURNAROUND_VERSION", meaning: "the build a process runs, in its `turnaround_build_info` metric; the image sets it", default: "unknown")
}
