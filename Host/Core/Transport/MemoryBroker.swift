import CSluicePlugin
#if canImport(Glibc)
import Glibc
#endif

/// The embedded broker behind `memory://`: topics with partitions, consumer
/// groups with committed offsets, all in process.
///
/// Semantics follow Kafka where a test could tell the difference: keyed records
/// are partitioned with Kafka's murmur2, offsets start at 0 per partition and
/// grow by one, a group's committed offset is "the next offset to consume", and
/// a consumer starts from its group's committed offset (earliest when none).
/// A group has one member at a time. Records are kept for the broker's
/// lifetime: it is meant for tests, the quick start and benchmarks.
public final class MemoryBroker: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    let lock = ConditionLock()
    private var topics: [String: [MemoryPartitionLog]] = [:]
    /// Topics created as compacted changelogs. Recorded only: a memory log
    /// keeps every record, it never compacts.
    private var compactedTopics: Set<String> = []
    private var committedOffsets: [String: [TopicPartition: Int64]] = [:]
    private var groupMembers: [String: ObjectIdentifier] = [:]
    private var roundRobin: Int32 = 0
    /// Topics consumers are waiting on, with how many wait (guarded by
    /// `lock`): an append wakes the waiters only when its topic has some, so
    /// an agent producing to one topic does not wake, record by record, every
    /// consumer waiting on another.
    private var waitingTopics: [String: Int] = [:]
    /// The topic the last append went to, with its logs (guarded by `lock`):
    /// producers mostly write one topic, and comparing its name is cheaper
    /// than hashing it again inside the lock. Topics are never deleted.
    private var lastAppended: (topic: String, logs: [MemoryPartitionLog])?
    private let defaultPartitions: Int
    private let partitionsPerTopic: [String: Int]

    /// Creates an empty broker.
    /// - Parameters:
    ///   - defaultPartitions: partitions of a topic created implicitly.
    ///   - partitionsPerTopic: overrides for named topics.
    public init(defaultPartitions: Int = 8, partitionsPerTopic: [String: Int] = [:]) {
        precondition(defaultPartitions > 0, "a topic needs at least one partition")
        self.defaultPartitions = defaultPartitions
        self.partitionsPerTopic = partitionsPerTopic
    }

    /// Creates `topic` unless it exists; returns its partition count.
    @discardableResult
    public func createTopic(_ topic: String, partitions: Int? = nil) -> Int {
        lock.withLock { logs(of: topic, creatingWith: partitions).count }
    }

    /// Creates `topic` as a compacted changelog with `partitions` partitions
    /// unless it exists (an existing topic keeps its partitions and policy);
    /// returns its partition count. The topic is only marked compacted: a
    /// memory log keeps every record, so a replay sees each update, not just
    /// the latest per key.
    @discardableResult
    public func createChangelogTopic(_ topic: String, partitions: Int) -> Int {
        lock.withLock {
            if let existing = topics[topic] { return existing.count }
            compactedTopics.insert(topic)
            return logs(of: topic, creatingWith: partitions).count
        }
    }

    /// Whether `topic` was created as a compacted changelog (`createChangelogTopic`).
    public func isCompacted(_ topic: String) -> Bool {
        lock.withLock { compactedTopics.contains(topic) }
    }

    /// The names of the topics that exist, sorted.
    public var topicNames: [String] {
        lock.withLock { topics.keys.sorted() }
    }

    /// Partition count of `topic`, or nil if it does not exist.
    public func partitionCount(of topic: String) -> Int? {
        lock.withLock { topics[topic]?.count }
    }

    /// The partition count `topic` gets when an append or a subscription creates it.
    public func partitionCountForNewTopic(_ topic: String) -> Int {
        max(1, partitionsPerTopic[topic] ?? defaultPartitions)
    }

    /// Appends `record` (creating its topic if needed) and returns where it went.
    @discardableResult
    public func append(_ record: OutgoingRecord) -> (partition: Int32, offset: Int64) {
        let now = Int64(ConditionLock.wallClockMilliseconds())
        // Copied outside the lock: producing threads hold it only to place their records.
        let stored = MemoryPartitionLog.store(record)
        let keyHash = record.key.map { Murmur2Partitioner.positiveHash($0) }
        let placed: (Int32, Int64, Bool) = lock.withLock {
            let logs = logsForAppendLocked(record.topic)
            let partition = partitionLocked(explicit: record.partition ?? -1, keyHash: keyHash, of: logs.count)
            let offset = logs[Int(partition)].append(stored, timestampMilliseconds: now)
            return (partition, offset, !waitingTopics.isEmpty && waitingTopics[record.topic] != nil)
        }
        if placed.2 { lock.broadcast() }
        return (placed.0, placed.1)
    }

    /// Appends the records of `batch` in order (creating the topic if
    /// needed), copying them before the lock is taken and placing them all
    /// under one take of it.
    func append(_ batch: BorrowedRecordBatch) {
        guard batch.count > 0 else { return }
        let now = Int64(ConditionLock.wallClockMilliseconds())
        var stored: [(record: MemoryPartitionLog.StoredRecord, keyHash: UInt32?, partition: Int32)] = []
        stored.reserveCapacity(batch.count)
        for record in batch.records {
            stored.append((MemoryPartitionLog.store(record),
                           record.key.map { Murmur2Partitioner.positiveHash(UnsafeBufferPointer(start: $0, count: record.key_len)) },
                           record.partition))
        }
        let wakes: Bool = lock.withLock {
            let logs = logsForAppendLocked(batch.topic)
            for entry in stored {
                let partition = partitionLocked(explicit: entry.partition, keyHash: entry.keyHash, of: logs.count)
                _ = logs[Int(partition)].append(entry.record, timestampMilliseconds: now)
            }
            return !waitingTopics.isEmpty && waitingTopics[batch.topic] != nil
        }
        if wakes { lock.broadcast() }
    }

    /// Lock held: the logs an append to `topic` goes to (created if needed;
    /// the last topic's are remembered).
    private func logsForAppendLocked(_ topic: String) -> [MemoryPartitionLog] {
        if let last = lastAppended, last.topic == topic { return last.logs }
        let logs = self.logs(of: topic, creatingWith: nil)
        lastAppended = (topic, logs)
        return logs
    }

    /// Lock held: the partition of a record: `explicit` when it is one of
    /// the `count`, else by the key's hash, else round robin.
    private func partitionLocked(explicit: Int32, keyHash: UInt32?, of count: Int) -> Int32 {
        if explicit >= 0, Int(explicit) < count { return explicit }
        if let keyHash { return Int32(keyHash % UInt32(count)) }
        roundRobin &+= 1
        return Int32(Int(roundRobin & 0x7fff_ffff) % count)
    }

    /// Lock held: a consumer waits for records of `topics` until `endWaiting(on:)`.
    func beginWaitingLocked(on topics: [String]) {
        for topic in topics { waitingTopics[topic, default: 0] += 1 }
    }

    /// Lock held: the consumer that waited on `topics` stopped waiting.
    func endWaitingLocked(on topics: [String]) {
        for topic in topics {
            let left = (waitingTopics[topic] ?? 1) - 1
            waitingTopics[topic] = left > 0 ? left : nil
        }
    }

    /// The offset the next record of `partition` will get (its high watermark).
    public func endOffset(_ partition: TopicPartition) -> Int64 {
        lock.withLock { log(partition)?.endOffset ?? 0 }
    }

    /// Copies out at most `limit` records of `partition` from `offset` on (for tests and tools).
    public func records(_ partition: TopicPartition, from offset: Int64 = 0, limit: Int = .max) -> [StoredRecord] {
        lock.withLock {
            guard let log = log(partition) else { return [] }
            return log.messages.dropFirst(Int(offset)).prefix(max(0, limit)).map(StoredRecord.init)
        }
    }

    /// At most `limit` consecutive records of `partition` from `offset` on,
    /// as a batch that keeps the partition's memory alive; nil when there are
    /// none (past the end, or no such partition). Nothing is copied but the
    /// message structs.
    func fetch(_ partition: TopicPartition, from offset: Int64, limit: Int) -> FetchedBatch? {
        lock.withLock {
            guard let log = log(partition), let messages = log.read(from: max(0, offset), limit: limit) else { return nil }
            return FetchedBatch(source: partition, messages: messages, payloadOwner: log)
        }
    }

    /// The group's committed offsets for `partitions`.
    public func committed(group: String, _ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        lock.withLock {
            let all = committedOffsets[group] ?? [:]
            return all.filter { partitions.contains($0.key) }
        }
    }

    /// Every committed offset of `group`.
    public func committed(group: String) -> [TopicPartition: Int64] {
        lock.withLock { committedOffsets[group] ?? [:] }
    }

    // MARK: Used by MemoryConsumer (lock held by the caller where noted)

    func commit(group: String, _ offsets: [TopicPartition: Int64]) {
        lock.withLock { committedOffsets[group, default: [:]].merge(offsets) { $1 } }
    }

    func join(group: String, member: ObjectIdentifier) throws {
        try lock.withLock {
            if let current = groupMembers[group], current != member {
                throw ProduceError("memory:// group '\(group)' already has a member; a memory:// group has one member at a time")
            }
            groupMembers[group] = member
        }
    }

    func leave(group: String, member: ObjectIdentifier) {
        lock.withLock { if groupMembers[group] == member { groupMembers[group] = nil } }
    }

    /// Lock held.
    func partitionsLocked(of topic: String) -> [TopicPartition] {
        let count = logs(of: topic, creatingWith: nil).count
        return (0..<count).map { TopicPartition(topic, Int32($0)) }
    }

    /// Lock held.
    func log(_ partition: TopicPartition) -> MemoryPartitionLog? {
        guard let logs = topics[partition.topic], partition.partition >= 0, Int(partition.partition) < logs.count else { return nil }
        return logs[Int(partition.partition)]
    }

    /// Lock held.
    private func logs(of topic: String, creatingWith partitions: Int?) -> [MemoryPartitionLog] {
        if let existing = topics[topic] { return existing }
        let count = partitions.map { max(1, $0) } ?? partitionCountForNewTopic(topic)
        let created = (0..<count).map { _ in MemoryPartitionLog() }
        topics[topic] = created
        return created
    }
}

/// A copy of one stored record, for inspection.
public struct StoredRecord: Sendable, Equatable {
    /// Its offset.
    public let offset: Int64
    /// Its timestamp in milliseconds since the epoch.
    public let timestampMilliseconds: Int64
    /// Its key (nil: null key).
    public let key: [UInt8]?
    /// Its value (nil: null value).
    public let value: [UInt8]?
    /// Its headers.
    public let headers: [OutgoingRecord.Header]

    /// Copies `message` (e.g. one of a `FetchedBatch`'s) out of the memory it points into.
    public init(_ message: sluice_message) {
        offset = message.offset
        timestampMilliseconds = message.timestamp_ms
        key = message.key.map { Array(UnsafeBufferPointer(start: $0, count: message.key_len)) }
        value = message.value.map { Array(UnsafeBufferPointer(start: $0, count: message.value_len)) }
        headers = (0..<message.header_count).map { index in
            let header = message.headers[index]
            let name = String(decoding: UnsafeRawBufferPointer(start: header.name, count: header.name_len), as: UTF8.self)
            return OutgoingRecord.Header(name: name, value: Array(UnsafeBufferPointer(start: header.value, count: header.value_len)))
        }
    }

    /// The value as UTF-8 text.
    public var valueText: String? { value.map { String(decoding: $0, as: UTF8.self) } }
    /// The key as UTF-8 text.
    public var keyText: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The first header named `name`, as UTF-8 text.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}

extension ConditionLock {
    /// Wall-clock milliseconds since the epoch (record timestamps).
    static func wallClockMilliseconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int(spec.tv_sec) * 1000 + Int(spec.tv_nsec) / 1_000_000
    }
}
