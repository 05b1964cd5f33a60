import Kafka
import Metrics

/// The runtime's metrics, through swift-metrics: the process chooses the
/// backend (Prometheus in the services). Labels are bounded: service, topic,
/// partition.
struct RuntimeMetrics: Sendable {
    let service: String

    func processed(_ count: Int, topic: String) {
        Counter(label: "turnaround_events_processed_total", dimensions: [("service", service), ("topic", topic)])
            .increment(by: count)
    }

    func duplicates(_ count: Int, topic: String) {
        Counter(label: "turnaround_events_duplicate_total", dimensions: [("service", service), ("topic", topic)])
            .increment(by: count)
    }

    func deadLettered(topic: String) {
        Counter(label: "turnaround_events_dead_lettered_total", dimensions: [("service", service), ("topic", topic)])
            .increment()
    }

    func retried() {
        Counter(label: "turnaround_batch_retries_total", dimensions: [("service", service)]).increment()
    }

    func batch(size: Int, duration: Duration) {
        Recorder(label: "turnaround_batch_size", dimensions: [("service", service)], aggregate: true).record(size)
        Metrics.Timer(label: "turnaround_batch_duration_seconds", dimensions: [("service", service)]).record(duration: duration)
    }

    func lag(_ lag: Int64, of partition: KafkaTopicPartition) {
        Gauge(
            label: "turnaround_consumer_lag",
            dimensions: [("service", service), ("topic", partition.topic), ("partition", String(partition.partition))]
        ).record(max(0, lag))
    }

    func relayFailed() {
        Counter(label: "turnaround_outbox_relay_errors_total", dimensions: [("service", service)]).increment()
    }

    func relayProducerReplaced() {
        Counter(label: "turnaround_outbox_relay_producers_replaced_total", dimensions: [("service", service)]).increment()
    }

    func retention(pruned: Int, table: String, sizeInBytes: Int) {
        Counter(label: "turnaround_retention_pruned_total", dimensions: [("service", service), ("table", table)]).increment(by: pruned)
        Gauge(label: "turnaround_table_size_bytes", dimensions: [("table", table)]).record(sizeInBytes)
    }

    func published(_ count: Int) {
        Counter(label: "turnaround_outbox_published_total", dimensions: [("service", service)]).increment(by: count)
    }

    func outbox(backlog: Int, oldestAgeSeconds: Double) {
        Gauge(label: "turnaround_outbox_backlog", dimensions: [("service", service)]).record(backlog)
        Gauge(label: "turnaround_outbox_oldest_age_seconds", dimensions: [("service", service)]).record(oldestAgeSeconds)
    }
}
