import CSluicePlugin

/// A consumer-group member on the embedded broker. It is the group's only
/// member, so it is assigned every partition of its topics.
final class MemoryConsumer: RecordConsumer, @unchecked Sendable {
    // @unchecked: mutable state is guarded by the broker's lock.
    private let broker: MemoryBroker
    private let group: String
    private let topics: [String]
    private weak var listener: (any ConsumerListener)?
    private var assignment: [TopicPartition] = []
    private var positions: [TopicPartition: Int64] = [:]
    private var paused: Set<TopicPartition> = []
    private var assigned = false
    private var closed = false
    private var wakeRequested = false
    private var nextStart = 0

    init(broker: MemoryBroker, group: String, topics: [String], listener: any ConsumerListener) throws {
        self.broker = broker
        self.group = group
        self.topics = topics
        self.listener = listener
        try broker.join(group: group, member: ObjectIdentifier(self))
    }

    func poll(maxBatchSize: Int, maxRecords: Int, timeout: Duration) throws -> [FetchedBatch] {
        if !assigned { assignAll() }
        let lock = broker.lock
        return lock.withLock {
            if !(wakeRequested || closed || hasRecordsLocked()) {
                // Appends to these topics wake this consumer (and only those, see `MemoryBroker`).
                broker.beginWaitingLocked(on: topics)
                _ = lock.wait(timeout: timeout) { wakeRequested || closed || hasRecordsLocked() }
                broker.endWaitingLocked(on: topics)
            }
            wakeRequested = false
            guard !closed, !assignment.isEmpty else { return [] }
            var batches: [FetchedBatch] = []
            var budget = maxRecords
            // Rotate the starting partition so a busy partition cannot starve the others.
            for step in 0..<assignment.count where budget > 0 {
                let partition = assignment[(nextStart + step) % assignment.count]
                guard !paused.contains(partition), let log = broker.log(partition),
                      let position = positions[partition],
                      let messages = log.read(from: position, limit: min(maxBatchSize, budget)) else { continue }
                positions[partition] = position + Int64(messages.count)
                budget -= messages.count
                batches.append(FetchedBatch(source: partition, messages: messages, payloadOwner: log))
            }
            nextStart = (nextStart + 1) % max(1, assignment.count)
            return batches
        }
    }

    func pause(_ partitions: [TopicPartition]) {
        broker.lock.withLock { paused.formUnion(partitions) }
    }

    func resume(_ partitions: [TopicPartition]) {
        broker.lock.withLock { paused.subtract(partitions) }
        broker.lock.broadcast()
    }

    func seek(_ partition: TopicPartition, to offset: Int64) {
        broker.lock.withLock { if positions[partition] != nil { positions[partition] = offset } }
        broker.lock.broadcast()
    }

    func commit(_ offsets: [TopicPartition: Int64]) throws {
        broker.commit(group: group, offsets)
    }

    func committed(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64] {
        broker.committed(group: group, partitions)
    }

    func wakeUp() {
        broker.lock.withLock { wakeRequested = true }
        broker.lock.broadcast()
    }

    func close() {
        let revoked: [TopicPartition] = broker.lock.withLock {
            guard !closed else { return [] }
            closed = true
            return assignment
        }
        broker.lock.broadcast()
        if !revoked.isEmpty { listener?.revoked(revoked) }
        broker.leave(group: group, member: ObjectIdentifier(self))
    }

    /// First poll: every partition of every topic, from the committed offsets.
    private func assignAll() {
        let partitions = broker.lock.withLock { topics.flatMap { broker.partitionsLocked(of: $0) } }
        let committed = broker.committed(group: group, partitions)
        var startOffsets: [TopicPartition: Int64] = [:]
        for partition in partitions { startOffsets[partition] = committed[partition] ?? 0 }
        broker.lock.withLock {
            assignment = partitions
            positions = startOffsets
            assigned = true
        }
        let moved = listener?.assigned(partitions, startOffsets: startOffsets) ?? [:]
        if !moved.isEmpty {
            broker.lock.withLock { positions.merge(moved) { $1 } }
        }
    }

    /// Lock held.
    private func hasRecordsLocked() -> Bool {
        for partition in assignment where !paused.contains(partition) {
            if let log = broker.log(partition), let position = positions[partition], position < log.endOffset { return true }
        }
        return false
    }
}
