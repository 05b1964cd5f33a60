import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t` and destroys it.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ partitions: [KafkaTopicPartition], offsets: [KafkaTopicPartition: Int64] = [:]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(partitions.count))
        for partition in partitions {
            let entry = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)!
            if let offset = offsets[partition] { entry.pointee.offset = offset }
        }
    }

    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    var entries: [(partition: KafkaTopicPartition, offset: Int64)] { Self.entries(of: pointer) }

    static func entries(
        of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) -> [(partition: KafkaTopicPartition, offset: Int64)] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return (KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset)
        }
    }
}
