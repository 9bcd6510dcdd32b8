/// The `memory://` transport: the embedded broker behind the common interface.
public struct MemoryTransport: Transport {
    /// The broker records live in; tests keep it to inspect topics and offsets.
    public let broker: MemoryBroker

    /// Creates a transport over `broker` (a new one by default).
    public init(broker: MemoryBroker = MemoryBroker()) {
        self.broker = broker
    }

    public var producer: any RecordProducer { MemoryProducer(broker: broker) }

    public func makeConsumer(group: String, topics: [String], listener: any ConsumerListener) throws -> any RecordConsumer {
        try MemoryConsumer(broker: broker, group: group, topics: topics, listener: listener)
    }

    public func ensureTopic(_ topic: String) throws {
        broker.createTopic(topic)
    }

    /// Creates the topic with `partitions` partitions and marks it compacted;
    /// a memory log never compacts, so a replay sees every update of a key.
    public func ensureChangelogTopic(_ topic: String, partitions: Int) throws {
        guard partitions > 0 else {
            throw ProduceError("memory:// changelog topic '\(topic)' needs at least one partition, not \(partitions)")
        }
        broker.createChangelogTopic(topic, partitions: partitions)
    }

    /// The broker knows: no request involved.
    public func partitionCount(of topic: String) throws -> Int? {
        broker.partitionCount(of: topic)
    }

    public func endOffset(of partition: TopicPartition) throws -> Int64 {
        broker.endOffset(partition)
    }

    /// Hands over the stored records in batches of at most
    /// `replayBatchSize`, without copying their payloads. Offsets on
    /// `memory://` are dense and nothing is ever dropped; the read stops at
    /// `end` or at the partition's end now, whichever comes first (records
    /// appended while it runs may be included up to `end`, never waited for).
    public func replay(_ partition: TopicPartition, from offset: Int64, to end: Int64,
                       _ body: (FetchedBatch) throws -> Void) throws {
        var position = max(0, offset)
        while position < end,
              let batch = broker.fetch(partition, from: position, limit: Int(min(Int64(Self.replayBatchSize), end - position))) {
            position = batch.lastOffset + 1
            try body(batch)
        }
    }

    /// The most records one replayed batch holds.
    static let replayBatchSize = 4096

    public var isReachable: Bool { true }

    /// End offset minus the group's committed offset (0 when nothing is
    /// committed yet), for every one of `partitions`: the broker knows both.
    public func lag(group: String, partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let committed = broker.committed(group: group, partitions)
        return Dictionary(uniqueKeysWithValues: partitions.map { partition in
            (partition, max(0, broker.endOffset(partition) - (committed[partition] ?? 0)))
        })
    }

    public func knownPartitionCount(of topic: String) -> Int? {
        // A topic no agent has subscribed to yet is created by the first
        // record, with the count the broker gives new topics.
        broker.partitionCount(of: topic) ?? broker.partitionCountForNewTopic(topic)
    }

    /// The broker keeps every record, so reading needs no consumer.
    public func readRecords(topic: String, partition: Int32, offset: Int64,
                            limit: Int) throws(TopicReadUnsupportedError) -> [PartitionRecords] {
        let partitions = broker.partitionCount(of: topic) ?? 0
        let start = Int(max(0, partition))
        guard start < partitions else { return [] }
        var remaining = max(0, limit)
        var read: [PartitionRecords] = []
        for index in start..<partitions where remaining > 0 {
            let current = TopicPartition(topic, Int32(index))
            let records = broker.records(current, from: index == partition ? max(0, offset) : 0, limit: remaining)
            remaining -= records.count
            read.append(PartitionRecords(partition: current, records: records))
        }
        return read
    }
}

/// Appends straight to the embedded broker; every record is acknowledged at once.
struct MemoryProducer: RecordProducer {
    let broker: MemoryBroker

    func produce(_ record: OutgoingRecord, acknowledged: @escaping @Sendable (Result<RecordPlacement, ProduceError>) -> Void) {
        guard !record.topic.isEmpty else {
            acknowledged(.failure(ProduceError("topic name is empty")))
            return
        }
        let placed = broker.append(record)
        acknowledged(.success(RecordPlacement(partition: placed.partition, offset: placed.offset)))
    }

    /// Stores the records under one take of the broker's lock.
    func produce(_ batch: BorrowedRecordBatch,
                 acknowledged: @escaping @Sendable (_ count: Int, _ failure: ProduceError?) -> Void) {
        guard !batch.topic.isEmpty else {
            acknowledged(batch.count, ProduceError("topic name is empty"))
            return
        }
        broker.append(batch)
        acknowledged(batch.count, nil)
    }

    func flush(timeout: Duration) -> Bool { true }
}
