import Kafka
import Prometheus

/// The runtime's metrics, in the process's Prometheus registry: every family
/// with its HELP text, labels bounded (service, topic, partition, table), and
/// the counters a service will move exported at 0 from the start, so an
/// alert on their rate works before the first event.
struct RuntimeMetrics: Sendable {
    let service: String
    let registry: PrometheusCollectorRegistry

    /// What became of a consumed message, counted per topic.
    enum Outcome: CaseIterable {
        case processed, duplicate, deadLettered, passedBy

        var name: String {
            switch self {
            case .processed: "turnaround_events_processed_total"
            case .duplicate: "turnaround_events_duplicate_total"
            case .deadLettered: "turnaround_events_dead_lettered_total"
            case .passedBy: "turnaround_events_passed_by_total"
            }
        }

        var help: String {
            switch self {
            case .processed: "Events applied, once each, by topic."
            case .duplicate: "Events skipped because the inbox had applied them (same event id and content)."
            case .deadLettered: "Messages that can never be applied: kept in the dead-letter table, announced on the topic's dead-letter topic."
            case .passedBy: "Dead letters another stage replayed, passed by: this stage applied the original."
            }
        }
    }

    /// - Parameter topics: the topics the service consumes, whose counters start at 0.
    init(service: String, topics: [String] = [], registry: PrometheusCollectorRegistry) {
        self.service = service
        self.registry = registry
        for topic in topics {
            for outcome in Outcome.allCases { _ = counter(outcome, topic: topic) }
        }
        _ = retriesCounter
        _ = rebalancesCounter(kind: "assigned")
        _ = rebalancesCounter(kind: "revoked")
        _ = pausedGauge
    }

    private var serviceLabel: [(String, String)] { [("service", service)] }

    private func counter(_ outcome: Outcome, topic: String) -> Counter {
        registry.counter(outcome.name, labels: serviceLabel + [("topic", topic)], help: outcome.help)
    }

    private var retriesCounter: Counter {
        registry.counter("turnaround_batch_retries_total", labels: serviceLabel,
            help: "Batches tried again after a transient fault (database or broker down).")
    }

    private func rebalancesCounter(kind: String) -> Counter {
        registry.counter("turnaround_rebalances_total", labels: serviceLabel + [("change", kind)],
            help: "Consumer-group rebalances that assigned or revoked partitions of this member.")
    }

    private var pausedGauge: Gauge {
        registry.gauge("turnaround_paused_partitions", labels: serviceLabel,
            help: "Partitions paused because the lane applying them takes nothing (retrying a transient fault).")
    }

    private func lagGauge(_ partition: KafkaTopicPartition) -> Gauge {
        registry.gauge("turnaround_consumer_lag",
            labels: serviceLabel + [("topic", partition.topic), ("partition", String(partition.partition))],
            help: "Messages in a held partition not yet applied: the high watermark less the next offset to apply, at every poll.")
    }

    /// Counts `messages` under `outcome`, by their topics.
    func count(_ outcome: Outcome, _ messages: [KafkaMessage]) {
        for (topic, messages) in Dictionary(grouping: messages, by: \.topic) {
            counter(outcome, topic: topic).increment(by: Int64(messages.count))
        }
    }

    func retried() { retriesCounter.increment() }

    func rebalanced(_ rebalance: KafkaRebalance) {
        switch rebalance {
        case .assigned: rebalancesCounter(kind: "assigned").increment()
        case .revoked: rebalancesCounter(kind: "revoked").increment()
        }
    }

    func paused(_ count: Int) { pausedGauge.set(Int64(count)) }

    func batch(size: Int, duration: Duration) {
        registry.valueHistogram("turnaround_batch_size", labels: serviceLabel, buckets: [1, 10, 50, 100, 250, 500, 1_000],
            help: "Messages in a batch applied in one transaction."
        ).record(Double(size))
        registry.durationHistogram("turnaround_batch_duration_seconds", labels: serviceLabel,
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                      .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)],
            help: "Time to apply a batch: its transaction, fallbacks included."
        ).record(duration)
    }

    func lag(_ lag: Int64, of partition: KafkaTopicPartition) { lagGauge(partition).set(max(0, lag)) }

    /// Drops a partition's lag series: the member no longer holds it.
    func forgetLag(of partition: KafkaTopicPartition) { registry.unregisterGauge(lagGauge(partition)) }

    private var relayErrorsCounter: Counter {
        registry.counter("turnaround_outbox_relay_errors_total", labels: serviceLabel,
            help: "Outbox relay rounds that failed (database, broker or a refused event); the events stay in the outbox.")
    }

    private var producersReplacedCounter: Counter {
        registry.counter("turnaround_outbox_relay_producers_replaced_total", labels: serviceLabel,
            help: "Kafka producers the outbox relay replaced after a fatal error or repeated failures.")
    }

    private var publishedCounter: Counter {
        registry.counter("turnaround_outbox_published_total", labels: serviceLabel, help: "Outbox events published and confirmed by the broker.")
    }

    func relayFailed() { relayErrorsCounter.increment() }

    func relayProducerReplaced() { producersReplacedCounter.increment() }

    func published(_ count: Int) { publishedCounter.increment(by: Int64(count)) }

    func outbox(backlog: Int, oldestAgeSeconds: Double) {
        registry.gauge("turnaround_outbox_backlog", labels: serviceLabel, help: "This stage's outbox events waiting to be published."
        ).set(Int64(backlog))
        registry.gauge("turnaround_outbox_oldest_age_seconds", labels: serviceLabel,
            help: "Age of this stage's oldest outbox event waiting to be published (0 when none waits)."
        ).set(oldestAgeSeconds)
    }

    func retention(pruned: Int, table: String, sizeInBytes: Int) {
        registry.counter("turnaround_retention_pruned_total", labels: serviceLabel + [("table", table)],
            help: "Rows deleted past their retention window: inbox rows forgotten, published outbox rows, expired dead letters."
        ).increment(by: Int64(pruned))
        registry.gauge("turnaround_table_size_bytes", labels: serviceLabel + [("table", table)],
            help: "Size on disk of the inbox, outbox or dead-letter table, indexes included."
        ).set(Int64(sizeInBytes))
    }

    private var dueWorkDoneCounter: Counter {
        registry.counter("turnaround_due_work_done_total", labels: serviceLabel,
            help: "Items of put-off work taken once due and done (families screened after their settle window, decided anew or not).")
    }

    private var dueWorkErrorsCounter: Counter {
        registry.counter("turnaround_due_work_errors_total", labels: serviceLabel,
            help: "Turns of put-off work that failed and were rolled back; the work stays due and is tried again.")
    }

    private var dueWorkOverdueGauge: Gauge {
        registry.gauge("turnaround_due_work_overdue_seconds", labels: serviceLabel,
            help: "How long the longest-waiting due item had been due at the last turn: how far the stage is behind (0 when none is).")
    }

    private var dueWorkSetAsideCounter: Counter {
        registry.counter("turnaround_due_work_set_aside_total", labels: serviceLabel,
            help: "Items of put-off work that could not be done and were put off for later (each logged at error with its reason).")
    }

    func dueWork(_ work: DueWork) {
        dueWorkDoneCounter.increment(by: Int64(work.done))
        dueWorkSetAsideCounter.increment(by: Int64(work.setAside.count))
        dueWorkOverdueGauge.set(work.overdueSeconds)
    }

    func dueWorkFailed() { dueWorkErrorsCounter.increment() }

    /// The put-off work's counters and gauge, exported from the start.
    func prepareDueWork() {
        _ = dueWorkErrorsCounter
        _ = dueWorkSetAsideCounter
        dueWork(.none)
    }

    /// The relay's counters and gauges, exported from the start.
    func prepareRelay() {
        _ = relayErrorsCounter
        _ = producersReplacedCounter
        _ = publishedCounter
        outbox(backlog: 0, oldestAgeSeconds: 0)
    }
}
