/// Where records come from and go to: `memory://` in process, or Kafka.
///
/// A transport hands out one consumer per consumer group and shares one
/// producer. Implementations must make every method safe to call from any
/// thread.
public protocol Transport: Sendable {
    /// The shared producer.
    var producer: any RecordProducer { get }

    /// Joins `group` as a consumer of `topics`. Assignment changes are reported
    /// to `listener` from inside `poll`.
    func makeConsumer(group: String, topics: [String], listener: any ConsumerListener) throws -> any RecordConsumer

    /// Creates `topic` if it does not exist (the local broker does not auto-create).
    func ensureTopic(_ topic: String) throws

    // MARK: Changelogs (tables of stateful agents). These talk to the broker
    // and may block: call them on a thread the host owns, never on the
    // cooperative pool.

    /// Creates `topic` as a compacted changelog topic (`cleanup.policy=compact`) with
    /// `partitions` partitions, unless it exists (an existing one is left as it is).
    func ensureChangelogTopic(_ topic: String, partitions: Int) throws

    /// How many partitions `topic` has, asking the broker when needed; nil when it does not exist.
    func partitionCount(of topic: String) throws -> Int?

    /// The end offset of `partition` now (one past its last record); 0 for a partition with no records or that does not exist.
    func endOffset(of partition: TopicPartition) throws -> Int64

    /// Reads `partition` from `offset` up to `end` (exclusive) in offset order and hands
    /// consecutive records to `body` in batches (each a `FetchedBatch`, at most a few
    /// thousand records), returning once a record at or past `end - 1` was handed over
    /// (or nothing lies in [offset, end)). A compacted topic may have gaps in its offsets
    /// and may have dropped records before `offset`'s log start: both are fine. Errors
    /// thrown by `body` stop the read and are rethrown. Blocking: called on a thread the host owns.
    func replay(_ partition: TopicPartition, from offset: Int64, to end: Int64,
                _ body: (FetchedBatch) throws -> Void) throws

    // MARK: What operators read (the admin API). None of these consumes, and
    // none waits for a broker: they are called while serving a request.

    /// Whether the broker can be reached now: the transport's health.
    var isReachable: Bool { get }

    /// Records of each of `partitions` that `group` has not committed yet:
    /// the partition's end offset minus the group's committed offset. A
    /// partition whose end offset the transport does not know yet is left out.
    func lag(group: String, partitions: [TopicPartition]) -> [TopicPartition: Int64]

    /// How many partitions `topic` has, or will have once a produce creates
    /// it, when the transport knows without asking a broker; nil when it
    /// does not.
    func knownPartitionCount(of topic: String) -> Int?

    /// At most `limit` records of `topic`, read without consuming (no group,
    /// no offsets): partition by partition, each in offset order, starting at
    /// `offset` of `partition` (later partitions from their first record);
    /// none when the topic does not exist. A page, so that reading a large
    /// topic never copies it whole.
    /// - Throws: `TopicReadUnsupportedError` when the transport cannot read a
    ///   topic back (it says what to do instead).
    func readRecords(topic: String, partition: Int32, offset: Int64,
                     limit: Int) throws(TopicReadUnsupportedError) -> [PartitionRecords]
}

extension Transport {
    /// Every record of `topic`, partition by partition (tests and tools; the
    /// admin API reads in pages).
    public func readRecords(topic: String) throws(TopicReadUnsupportedError) -> [PartitionRecords] {
        try readRecords(topic: topic, partition: 0, offset: 0, limit: .max)
    }
}

/// Produces records and reports each one's fate exactly once.
public protocol RecordProducer: Sendable {
    /// Enqueues `record`; `acknowledged` runs once, from any thread, when the
    /// broker has stored it (saying where) or delivery has failed for good.
    func produce(_ record: OutgoingRecord, acknowledged: @escaping @Sendable (Result<RecordPlacement, ProduceError>) -> Void)

    /// Enqueues every record of `batch`, in order. `acknowledged` runs one or
    /// more times, from any thread, each time for `count` of the records: all
    /// stored (`failure` nil) or failed for good; the counts add up to
    /// `batch.count`. The default enqueues the records one by one.
    func produce(_ batch: BorrowedRecordBatch,
                 acknowledged: @escaping @Sendable (_ count: Int, _ failure: ProduceError?) -> Void)

    /// Waits up to `timeout` for every enqueued record to be acknowledged.
    /// Returns false if some are still outstanding.
    func flush(timeout: Duration) -> Bool
}

extension RecordProducer {
    public func produce(_ batch: BorrowedRecordBatch,
                        acknowledged: @escaping @Sendable (_ count: Int, _ failure: ProduceError?) -> Void) {
        for index in 0..<batch.count {
            produce(batch.outgoing(at: index)) { result in
                switch result {
                case .success: acknowledged(1, nil)
                case .failure(let error): acknowledged(1, error)
                }
            }
        }
    }
}

/// One member of a consumer group. Used by a single fetcher thread, except
/// `pause`/`resume`/`commit`, which may be called from any thread.
public protocol RecordConsumer: AnyObject, Sendable {
    /// Waits up to `timeout` for records and returns at most one batch per
    /// partition, each at most `maxBatchSize` records, `maxRecords` in all.
    /// Calls the listener's assignment callbacks first when the assignment changes.
    func poll(maxBatchSize: Int, maxRecords: Int, timeout: Duration) throws -> [FetchedBatch]

    /// Stops returning records of these partitions until `resume`.
    func pause(_ partitions: [TopicPartition])
    /// Starts returning records of these partitions again.
    func resume(_ partitions: [TopicPartition])
    /// Makes the next poll return records of `partition` from `offset` again.
    func seek(_ partition: TopicPartition, to offset: Int64)

    /// Commits `offsets` (the next offset to consume, per partition) for the group.
    func commit(_ offsets: [TopicPartition: Int64]) throws
    /// The group's committed offsets for these partitions (nil: none yet).
    func committed(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64]

    /// Wakes a `poll` that is waiting, so the fetcher can notice a stop request.
    func wakeUp()
    /// Leaves the group. The listener's `revoked` runs for what was assigned.
    func close()
}

/// Told about assignment changes, on the fetcher thread, from inside `poll`.
public protocol ConsumerListener: AnyObject, Sendable {
    /// These partitions now belong to this member; `startOffsets` says where
    /// consumption begins for each. Returns the partitions whose start the
    /// listener moves forward (the records before it are done already: a
    /// stateful agent's restored state covers them), with their new start.
    func assigned(_ partitions: [TopicPartition], startOffsets: [TopicPartition: Int64]) -> [TopicPartition: Int64]
    /// These partitions are being taken away: stop feeding them, finish what is
    /// in flight, commit. The transport waits for this to return.
    func revoked(_ partitions: [TopicPartition])
}
