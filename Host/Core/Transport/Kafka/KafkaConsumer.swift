import CRdKafka
import Logging
import Metrics

/// One member of a Kafka consumer group (classic protocol), for one agent.
///
/// - Each assigned partition is read from its own fetch queue
///   (`rd_kafka_queue_get_partition`, not forwarded to the consumer queue),
///   with `rd_kafka_consume_batch_queue`; the `sluice_message`s point straight
///   into the `rd_kafka_message_t`s (see `KafkaFetchedMessages`). The consumer
///   queue then carries only events (rebalances, errors, commit results), so
///   they are served while records are held back, and holding a partition back
///   is just not reading its queue: librdkafka stops fetching at its own
///   per-partition limits and never has to drop and refetch what it prefetched.
/// - Assignment changes arrive through librdkafka's rebalance callback, which
///   runs inside `poll` (and inside `close`) on the fetcher thread; see
///   `KafkaConsumer+Rebalance.swift`.
/// - Offsets are never stored or committed by librdkafka on its own
///   (`enable.auto.commit=false`, `enable.auto.offset.store=false`): the host
///   commits explicit offsets, synchronously while partitions are being
///   revoked or the consumer closes, asynchronously otherwise.
final class KafkaConsumer: RecordConsumer, @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`; librdkafka calls are thread-safe.
    let handle: KafkaClientHandle
    let group: String
    let settings: KafkaSettings
    let logger: Logger
    /// `earliest` or `latest`: where a partition without a committed offset starts.
    let offsetReset: String
    weak var listener: (any ConsumerListener)?
    private let queue: OpaquePointer

    let lock = ConditionLock()
    /// What the group currently assigns to this member.
    var assignment: Set<TopicPartition> = []
    /// Where each assigned partition started (what the listener was told).
    var startOffsets: [TopicPartition: Int64] = [:]
    /// Partitions whose assignment changed during the current poll: what was
    /// fetched for them in that poll may predate the change and is dropped.
    var rebalancedDuringPoll: Set<TopicPartition> = []
    /// Commits are synchronous while this is set (revoke, close).
    var commitSynchronously = false
    /// Partitions being revoked because the assignment was lost: their
    /// offsets are not committed (another member may own them already).
    var losing: Set<TopicPartition> = []
    /// Partitions revoked as lost (`sluice_kafka_partitions_lost_total{group}`).
    let lostPartitions: Counter
    /// Offsets whose asynchronous commit failed; sent again with the next commit.
    var failedCommits: [TopicPartition: Int64] = [:]
    /// The group's committed offset per assigned partition, as far as this
    /// member knows (the start offset, then each successful commit): the
    /// lower end of the consumer lag.
    var knownCommitted: [TopicPartition: Int64] = [:]
    /// Partitions the host paused: their queues are not read (librdkafka
    /// keeps prefetching into them, up to its own per-partition limits).
    private var paused: Set<TopicPartition> = []
    /// Each assigned partition's own fetch queue, not forwarded to the
    /// consumer queue (see `openQueues`).
    private var partitionQueues: [TopicPartition: OpaquePointer] = [:]
    /// The assigned partitions in a fixed order, rotated through by `poll`.
    private var pollOrder: [TopicPartition] = []
    /// Where `rd_kafka_consume_batch_queue` writes; fetcher thread only.
    private var buffer = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: 1)
    private var bufferCapacity = 1
    private var closed = false
    private var nextStart = 0
    private var lastErrorLog: [Int32: Duration] = [:]

    /// Creates the client and subscribes; the group is joined by the first `poll`.
    init(settings: KafkaSettings, group: String, topics: [String], listener: any ConsumerListener,
         health: KafkaHealth, logger: Logger) throws(KafkaError) {
        self.settings = settings
        self.group = group
        self.listener = listener
        var logger = logger
        logger[metadataKey: "group"] = .string(group)
        self.logger = logger
        lostPartitions = Counter(label: "sluice_kafka_partitions_lost_total", dimensions: [("group", group)])
        offsetReset = (settings.properties["auto.offset.reset"] ?? "earliest").lowercased()
        var properties: [(String, String)] = [
            ("bootstrap.servers", settings.bootstrapServers),
            ("auto.offset.reset", "earliest"),
            ("enable.partition.eof", "false"),
        ]
        properties += settings.properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        // Last, so nothing overrides them: the host owns group, stores and commits.
        properties += [("group.id", group), ("enable.auto.commit", "false"), ("enable.auto.offset.store", "false")]
        if let instance = settings.groupInstanceID(group: group) {
            // Static membership: a restarted host rejoins as the same member, without a rebalance.
            properties.append(("group.instance.id", instance))
        }
        let context = KafkaClientContext(logger: logger, health: health)
        handle = try KafkaClientHandle(type: RD_KAFKA_CONSUMER, properties: properties, context: context) { conf in
            rd_kafka_conf_set_rebalance_cb(conf) { client, code, partitions, opaque in
                guard let client, let partitions else { return }
                if let consumer = KafkaClientContext.from(opaque)?.consumer {
                    consumer.rebalance(code, partitions)
                } else {
                    KafkaConsumer.defaultRebalance(client, code, partitions)
                }
            }
            rd_kafka_conf_set_offset_commit_cb(conf) { _, code, offsets, opaque in
                guard let offsets else { return }
                KafkaClientContext.from(opaque)?.consumer?.commitFinished(code, offsets)
            }
        }
        // Everything (rebalances, errors, commit results) is served by the consumer queue.
        rd_kafka_poll_set_consumer(handle.pointer)
        queue = rd_kafka_queue_get_consumer(handle.pointer)
        context.consumer = self

        let subscription = TopicPartitionList.make(topics.map { TopicPartition($0, Int32(RD_KAFKA_PARTITION_UA)) })
        defer { rd_kafka_topic_partition_list_destroy(subscription) }
        let code = rd_kafka_subscribe(handle.pointer, subscription)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError("subscribing group \(group) to \(topics.joined(separator: ","))", code: code)
        }
    }

    deinit {
        closeQueues(of: Array(partitionQueues.keys))
        buffer.deallocate()
        rd_kafka_queue_destroy(queue)
    }

    // MARK: - Fetching (fetcher thread)

    func poll(maxBatchSize: Int, maxRecords: Int, timeout: Duration) throws -> [FetchedBatch] {
        guard let ready = lock.withLock({ () -> [(TopicPartition, OpaquePointer)]? in
            if closed { return nil }
            rebalancedDuringPoll = []
            return readableQueues()
        }) else { return [] }
        let budget = max(0, maxRecords)
        // Wait for events only when no record can be taken now. A partition
        // queue that gets its first record wakes the wait (`openQueues`).
        let recordsWaiting = budget > 0 && ready.contains { rd_kafka_queue_length($0.1) > 0 }
        serveEvents(wait: recordsWaiting ? 0 : Self.milliseconds(timeout))

        // Serving events may have changed the assignment: read the queues again.
        let queues: [(TopicPartition, OpaquePointer)] = lock.withLock { closed ? [] : readableQueues() }
        let batchSize = min(max(1, maxBatchSize), 10_000)
        if bufferCapacity < batchSize {
            buffer.deallocate()
            buffer = .allocate(capacity: batchSize)
            bufferCapacity = batchSize
        }
        // At most one batch per partition, rotating the first partition so none starves.
        var batches: [FetchedBatch] = []
        var arrivals: Set<TopicPartition> = []
        var remaining = budget
        var fetchedAny = false
        for step in 0..<queues.count where remaining > 0 {
            let (partition, partitionQueue) = queues[(nextStart + step) % queues.count]
            let fetched = Int(rd_kafka_consume_batch_queue(partitionQueue, 0, buffer, min(batchSize, remaining)))
            guard fetched > 0 else { continue }
            fetchedAny = true
            var messages: [UnsafeMutablePointer<rd_kafka_message_t>] = []
            messages.reserveCapacity(fetched)
            lock.withLock {
                // Fetched before a rebalance that touched the partition in this poll: dropped, then rewound.
                let stale = rebalancedDuringPoll.contains(partition) || !assignment.contains(partition)
                for index in 0..<fetched {
                    guard let message = buffer[index] else { continue }
                    if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        consumeError(message)
                        rd_kafka_message_destroy(message)
                    } else if stale {
                        rd_kafka_message_destroy(message)
                        arrivals.insert(partition)
                    } else {
                        messages.append(message)
                    }
                }
            }
            guard !messages.isEmpty else { continue }
            remaining -= messages.count
            batches.append(KafkaFetchedMessages.batch(source: partition, messages: messages, handle: handle))
        }
        nextStart = (nextStart + 1) % max(1, queues.count)
        if fetchedAny { handle.context.health.markUp() }
        rewindRebalanced(droppedFrom: arrivals)
        return batches
    }

    /// Lock held: the queues of assigned partitions that are not paused, in poll order.
    private func readableQueues() -> [(TopicPartition, OpaquePointer)] {
        pollOrder.compactMap { partition in
            guard !paused.contains(partition), let partitionQueue = partitionQueues[partition] else { return nil }
            return (partition, partitionQueue)
        }
    }

    /// Serves the consumer queue (rebalance and commit callbacks run inside),
    /// waiting up to `wait` ms for something to happen. Calling it on every
    /// poll is also what tells librdkafka the application is alive
    /// (`max.poll.interval.ms`), paused or not.
    private func serveEvents(wait: Int32) {
        var wait = wait
        // Errors come as messages, one at a time; records do not come here.
        while rd_kafka_consume_batch_queue(queue, wait, buffer, 1) == 1, let message = buffer.pointee {
            wait = 0
            if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                lock.withLock { consumeError(message) }
                rd_kafka_message_destroy(message)
            } else {
                // Not reached while every partition has its own queue; if it
                // were, the record is fetched again (into that queue), not lost.
                let partition = TopicPartition(String(cString: rd_kafka_topic_name(message.pointee.rkt)), message.pointee.partition)
                let offset = message.pointee.offset
                rd_kafka_message_destroy(message)
                logger.warning("a record arrived on the consumer queue, not its partition's queue; fetching it again",
                               metadata: ["partition": .string(partition.description), "offset": .stringConvertible(offset)])
                if lock.withLock({ assignment.contains(partition) }) { seek(partition, to: offset) }
            }
        }
    }

    /// Records fetched for a partition in the same poll as its rebalance were
    /// dropped; if it is (again) ours, fetch it again from where it starts.
    private func rewindRebalanced(droppedFrom partitions: Set<TopicPartition>) {
        let rewind: [TopicPartition: Int64] = lock.withLock {
            var rewind: [TopicPartition: Int64] = [:]
            for partition in partitions where assignment.contains(partition) && rebalancedDuringPoll.contains(partition) {
                if let start = startOffsets[partition] { rewind[partition] = start }
            }
            return rewind
        }
        for (partition, offset) in rewind { seek(partition, to: offset) }
    }

    /// A per-message error: logged (at most every 10 s per error code); the broker going away marks it down.
    private func consumeError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }
        let now = ConditionLock.monotonicNow()
        if let last = lastErrorLog[code.rawValue], now - last < .seconds(10) { return }
        lastErrorLog[code.rawValue] = now
        var detail = KafkaError.describe(code)
        if let text = rd_kafka_message_errstr(message) { detail += " (\(String(cString: text)))" }
        logger.warning("kafka consumer error; it keeps polling", metadata: ["error": .string(detail)])
    }

    // MARK: - Flow control (any thread)

    /// A paused partition's queue is simply not read. librdkafka keeps
    /// prefetching into it up to `queued.min.messages` /
    /// `queued.max.messages.kbytes` (per partition, since each has its own
    /// queue) and then stops fetching, so a pause costs nothing and a resume
    /// refetches nothing.
    func pause(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        lock.withLock { paused.formUnion(partitions) }
    }

    func resume(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        lock.withLock { paused.subtract(partitions) }
        wakeUp()
    }

    /// Fetcher thread (the rewind after a rebalance); records of `partition`
    /// still queued from before are discarded by librdkafka (outdated version).
    func seek(_ partition: TopicPartition, to offset: Int64) {
        let list = TopicPartitionList.make([partition], offset: offset)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_seek_partitions(handle.pointer, list, settings.requestTimeoutMilliseconds) {
            logger.warning("seek \(partition) to \(offset) failed: \(String(cString: rd_kafka_error_string(error)))")
            rd_kafka_error_destroy(error)
        } else if let problem = TopicPartitionList.firstError(list) {
            logger.warning("seek to \(offset) failed: \(problem)")
        }
    }

    /// Lock held: forgets `partitions` (revoked or lost).
    func forget(_ partitions: [TopicPartition]) {
        assignment.subtract(partitions)
        paused.subtract(partitions)
        closeQueues(of: partitions)
        for partition in partitions {
            startOffsets[partition] = nil
            failedCommits[partition] = nil
            knownCommitted[partition] = nil
        }
    }

    /// Lock held: takes on `partitions` starting at `starts`. Called before
    /// they are assigned in librdkafka, so their queues are detached before
    /// the first fetch.
    func adopt(_ partitions: [TopicPartition], starts: [TopicPartition: Int64]) {
        assignment.formUnion(partitions)
        paused.subtract(partitions)
        openQueues(of: partitions)
        startOffsets.merge(starts) { $1 }
        knownCommitted.merge(starts) { $1 }
    }

    // MARK: - Partition queues

    /// Lock held: detaches each partition's fetch queue from the consumer
    /// queue (`rd_kafka_queue_forward(…, NULL)`; librdkafka keeps that choice
    /// across later assignments) and has it wake a waiting `poll` when it
    /// gets its first record. The callback runs on a librdkafka thread with
    /// the partition queue locked; it only yields the consumer queue.
    private func openQueues(of partitions: [TopicPartition]) {
        for partition in partitions where partitionQueues[partition] == nil {
            guard let partitionQueue = rd_kafka_queue_get_partition(handle.pointer, partition.topic, partition.partition) else {
                // Only for an invalid topic name; its records would then come
                // through the consumer queue, where `serveEvents` refetches them.
                logger.error("no fetch queue for \(partition); its records cannot be consumed")
                continue
            }
            rd_kafka_queue_forward(partitionQueue, nil)
            rd_kafka_queue_cb_event_enable(partitionQueue, { _, consumerQueue in
                if let consumerQueue { rd_kafka_queue_yield(OpaquePointer(consumerQueue)) }
            }, UnsafeMutableRawPointer(queue))
            partitionQueues[partition] = partitionQueue
        }
        pollOrder = partitionQueues.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Lock held (or deinit): stops the wake-ups (the queue outlives this
    /// consumer's handle on it) and releases the handles.
    private func closeQueues(of partitions: [TopicPartition]) {
        for partition in partitions {
            guard let partitionQueue = partitionQueues.removeValue(forKey: partition) else { continue }
            rd_kafka_queue_cb_event_enable(partitionQueue, nil, nil)
            rd_kafka_queue_destroy(partitionQueue)
        }
        pollOrder = partitionQueues.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    // MARK: - Offsets

    func commit(_ offsets: [TopicPartition: Int64]) throws {
        let (merged, synchronous, closed): ([TopicPartition: Int64], Bool, Bool) = lock.withLock {
            var merged = offsets
            for (partition, offset) in failedCommits where merged[partition] == nil && assignment.contains(partition) {
                merged[partition] = offset
            }
            failedCommits = [:]
            merged = merged.filter { !losing.contains($0.key) }
            return (merged, commitSynchronously, self.closed)
        }
        guard !merged.isEmpty else { return }
        guard !closed else { throw KafkaError("group \(group): the consumer is closed; cannot commit") }
        let list = TopicPartitionList.make(merged)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        // Synchronous while revoking or closing: the offsets must be stored
        // before the partitions are handed over. On the interval, asynchronous,
        // so a slow or stopped broker never blocks the fetcher (a failure is
        // retried with the next commit).
        guard synchronous else {
            let code = rd_kafka_commit(handle.pointer, list, 1)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                lock.withLock { for (partition, offset) in merged { rememberFailed(partition, offset) } }
                throw KafkaError("group \(group): committing offsets", code: code)
            }
            return
        }
        try commitAndWait(list)
    }

    /// A synchronous commit bounded by `sluice.request.timeout.ms`: librdkafka's
    /// own synchronous commit waits as long as the broker does not answer (a
    /// stopped broker keeps its connections open), which would hold a revoke
    /// or a shutdown indefinitely.
    private func commitAndWait(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws {
        let results = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(results) }
        let code = rd_kafka_commit_queue(handle.pointer, list, results, nil, nil)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("group \(group): committing offsets", code: code) }
        let timeout = settings.requestTimeoutMilliseconds
        guard let event = rd_kafka_queue_poll(results, timeout) else {
            throw KafkaError("group \(group): committing offsets: no answer from the broker within \(timeout) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventCode = rd_kafka_event_error(event)
        guard eventCode == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("group \(group): committing offsets", code: eventCode) }
        guard let committed = rd_kafka_event_topic_partition_list(event) else { return }
        if let problem = TopicPartitionList.firstError(committed) {
            throw KafkaError("group \(group): committing offsets: \(problem)")
        }
        lock.withLock { noteCommitted(committed) }
    }

    /// The commit callback (async and sync commits alike), on the fetcher thread.
    func commitFinished(_ code: rd_kafka_resp_err_t, _ offsets: UnsafePointer<rd_kafka_topic_partition_list_t>) {
        guard code != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
        var failed = code != RD_KAFKA_RESP_ERR_NO_ERROR
        lock.withLock {
            for element in TopicPartitionList.elements(offsets) where code != RD_KAFKA_RESP_ERR_NO_ERROR || element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                failed = true
                rememberFailed(TopicPartition(String(cString: element.topic), element.partition), element.offset)
            }
        }
        if failed {
            let detail = code != RD_KAFKA_RESP_ERR_NO_ERROR ? KafkaError.describe(code) : (TopicPartitionList.firstError(offsets) ?? "")
            logger.warning("offset commit failed; retried with the next commit", metadata: ["error": .string(detail)])
        } else {
            lock.withLock { noteCommitted(offsets) }
        }
    }

    /// Lock held: remembers the successfully committed offsets of `list`
    /// (never moving backwards: commit results may arrive out of order).
    private func noteCommitted(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) {
        for element in TopicPartitionList.elements(list) where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
            let partition = TopicPartition(String(cString: element.topic), element.partition)
            guard assignment.contains(partition) else { continue }
            knownCommitted[partition] = max(knownCommitted[partition] ?? element.offset, element.offset)
        }
    }

    /// Records not yet committed, per assigned partition: the high watermark
    /// librdkafka last saw in a fetch response (no broker request) minus the
    /// group's committed offset. A partition whose high watermark is not known
    /// yet (nothing fetched since it was assigned) is left out.
    func lag() -> [TopicPartition: Int64] {
        let committed: [TopicPartition: Int64] = lock.withLock { closed ? [:] : knownCommitted }
        var lag: [TopicPartition: Int64] = [:]
        for (partition, offset) in committed {
            var low: Int64 = 0, high: Int64 = 0
            let code = rd_kafka_get_watermark_offsets(handle.pointer, partition.topic, partition.partition, &low, &high)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { continue }
            lag[partition] = max(0, high - offset)
        }
        return lag
    }

    /// Lock held.
    private func rememberFailed(_ partition: TopicPartition, _ offset: Int64) {
        guard offset >= 0, assignment.contains(partition) else { return }
        failedCommits[partition] = max(failedCommits[partition] ?? offset, offset)
    }

    func committed(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let code = rd_kafka_committed(handle.pointer, list, settings.requestTimeoutMilliseconds)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("group \(group): reading committed offsets", code: code) }
        var result: [TopicPartition: Int64] = [:]
        for element in TopicPartitionList.elements(list) where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
            result[TopicPartition(String(cString: element.topic), element.partition)] = element.offset
        }
        return result
    }

    // MARK: - Lifecycle

    func wakeUp() {
        rd_kafka_queue_yield(queue)
    }

    func close() {
        let alreadyClosed: Bool = lock.withLock {
            defer { commitSynchronously = true }
            return closed
        }
        guard !alreadyClosed else { return }
        closeWithinDeadline()
        let leftover: [TopicPartition] = lock.withLock {
            closed = true
            return Array(assignment)
        }
        // The callback did not run (e.g. the broker was unreachable): still
        // tell the listener, so the agent stops and closes its partitions.
        if !leftover.isEmpty {
            listener?.revoked(leftover)
            lock.withLock { forget(leftover) }
        }
    }

    /// Leaves the group. The assignment is revoked through the rebalance
    /// callback, on this thread (the listener drains and commits first); then
    /// the LeaveGroup request goes out. librdkafka's blocking close waits for
    /// the broker as long as it takes, so this serves the close on a queue of
    /// its own and gives up after waiting `sluice.request.timeout.ms` (time
    /// spent in callbacks not counted): the host's shutdown must end even when
    /// the broker is gone.
    private func closeWithinDeadline() {
        let events = rd_kafka_queue_new(handle.pointer)
        defer { rd_kafka_queue_destroy(events) }
        if let error = rd_kafka_consumer_close_queue(handle.pointer, events) {
            logger.warning("closing the kafka consumer: \(String(cString: rd_kafka_error_string(error)))")
            rd_kafka_error_destroy(error)
            return
        }
        let patience = settings.requestTimeout
        let step: Duration = .milliseconds(100)
        var waited: Duration = .zero
        while rd_kafka_consumer_closed(handle.pointer) == 0 {
            if waited >= patience {
                logger.error("closing the kafka consumer: the broker did not answer within \(patience); leaving without it")
                return
            }
            let started = ConditionLock.monotonicNow()
            _ = rd_kafka_queue_poll_callback(events, Self.milliseconds(step))
            // Time inside callbacks (the revoke drains for up to the drain deadline) is not waiting.
            waited += min(ConditionLock.monotonicNow() - started, step)
        }
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}
