import CRdKafka

/// Conversions between `TopicPartition`s and librdkafka's
/// `rd_kafka_topic_partition_list_t`.
enum TopicPartitionList {
    /// A new list (the caller destroys it) of `partitions`, each with `offset`.
    static func make(_ partitions: [TopicPartition], offset: Int64 = Int64(RD_KAFKA_OFFSET_INVALID))
        -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(1, partitions.count)))!
        for partition in partitions {
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = offset
        }
        return list
    }

    /// A new list (the caller destroys it) of partitions with their offsets.
    static func make(_ offsets: [TopicPartition: Int64]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(1, offsets.count)))!
        for (partition, offset) in offsets {
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = offset
        }
        return list
    }

    /// The elements of `list`, in order.
    static func elements(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> UnsafeBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt))
    }

    /// The partitions of `list`, in order.
    static func partitions(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition] {
        elements(list).map { TopicPartition(String(cString: $0.topic), $0.partition) }
    }

    /// The first per-partition error of `list`, described, or nil.
    static func firstError(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> String? {
        for element in elements(list) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return "\(String(cString: element.topic))[\(element.partition)]: \(KafkaError.describe(element.err))"
        }
        return nil
    }
}
