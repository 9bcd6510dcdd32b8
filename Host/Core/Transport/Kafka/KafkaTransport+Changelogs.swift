import CRdKafka

/// The changelog topics of stateful agents' tables: created compacted, and
/// replayed partition by partition when a table is restored.
extension KafkaTransport {
    /// Creates the topic with `cleanup.policy=compact`. A broker that refuses
    /// the topic config itself (`INVALID_CONFIG`, `INVALID_REQUEST`,
    /// `UNSUPPORTED_VERSION`) gets the topic without it, and one warning names
    /// the topic: a table still restores from an uncompacted changelog, only
    /// more slowly. The local Tansu accepts the config (and reports it back
    /// in DescribeConfigs).
    public func ensureChangelogTopic(_ topic: String, partitions: Int) throws {
        guard partitions > 0 else {
            throw KafkaError("creating changelog topic \(topic): needs at least one partition, not \(partitions)")
        }
        let admin = sharedProducer.admin
        let compacted = try admin.request(topic, partitions: partitions, configs: [("cleanup.policy", "compact")])
        if !compacted.exists {
            guard Self.isConfigRefusal(compacted.code) else {
                throw KafkaError("creating changelog topic \(topic): \(compacted.description)")
            }
            let plain = try admin.request(topic, partitions: partitions, configs: [])
            guard plain.exists else { throw KafkaError("creating changelog topic \(topic): \(plain.description)") }
            logger.warning("the broker refused cleanup.policy=compact; the changelog topic was created without it and is never compacted",
                           metadata: ["topic": .string(topic), "error": .string(compacted.description)])
        }
        sharedProducer.remember(topic)
    }

    /// Whether `code` is how a broker refuses a topic config it does not take.
    private static func isConfigRefusal(_ code: rd_kafka_resp_err_t) -> Bool {
        code == RD_KAFKA_RESP_ERR_INVALID_CONFIG || code == RD_KAFKA_RESP_ERR_INVALID_REQUEST
            || code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION
    }

    /// Asks the broker (DescribeTopics, bounded by 5 s, never creating the topic).
    public func partitionCount(of topic: String) throws -> Int? {
        try sharedProducer.admin.partitionCount(of: topic, timeoutMilliseconds: 5000)
    }

    /// One past the partition's last record, found with a short-lived reader:
    /// the ListOffsets high watermark, checked against a fetch of the last
    /// record (see `KafkaPartitionReader.endOffset`).
    public func endOffset(of partition: TopicPartition) throws -> Int64 {
        try KafkaPartitionReader(partition: partition, settings: settings, health: health, logger: logger).endOffset()
    }

    /// Reads with a `KafkaPartitionReader` of its own (no group, nothing
    /// committed), in batches of at most 4096 records. The reader's client
    /// goes away with the last batch still held.
    public func replay(_ partition: TopicPartition, from offset: Int64, to end: Int64,
                       _ body: (FetchedBatch) throws -> Void) throws {
        guard offset < end else { return }
        try KafkaPartitionReader(partition: partition, settings: settings, health: health, logger: logger)
            .replay(from: offset, to: end, body)
    }
}
