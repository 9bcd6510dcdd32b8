import CSluicePlugin
#if canImport(Glibc)
import Glibc
#endif

/// The host's side of one assigned partition of one agent: fetched batches
/// waiting their turn, retries, the offset ledger, and whether a plugin call
/// is running. A lane is never dispatched twice at once, which is how a
/// partition is never processed concurrently with itself.
///
/// Guarded by the owning agent's lock.
final class PartitionLane: @unchecked Sendable {
    let partition: TopicPartition
    /// The topic as a C string, shared by every batch of the lane.
    let topicCString: UnsafeMutablePointer<CChar>
    var ledger: OffsetLedger
    /// The offset last committed for this lane.
    var committed: Int64
    /// What the plugin's open() stored.
    var partitionState: UnsafeMutableRawPointer?

    /// Fetched, not yet dispatched.
    private(set) var queue: [FetchedBatch] = []
    private var queueHead = 0
    /// Retries whose backoff has passed; they go before anything queued.
    var readyRetries: [BatchContext] = []
    /// An on_batch call is scheduled or running.
    var running = false
    /// Retry cycles under way: new batches wait so order is kept.
    var retryBlocks = 0
    /// Batches that returned PENDING and are not complete yet.
    var pendingBatches = 0
    /// Set by the pause policy (retries exhausted) or an operator.
    var pausedReason: String?
    /// The retry the pause policy holds until the lane is resumed.
    var parkedRetry: BatchContext?
    /// Being revoked: nothing new is dispatched.
    var revoking = false
    /// A FATAL batch came from this lane; it will never finish.
    var failed = false
    /// Revoked and closed: nothing may be dispatched any more (a retry timer
    /// that fires late finds this and drops its batch).
    var closed = false

    init(partition: TopicPartition, startOffset: Int64) {
        self.partition = partition
        topicCString = strdup(partition.topic)
        ledger = OffsetLedger(startingAt: startOffset)
        committed = startOffset
    }

    deinit { free(topicCString) }

    /// Records fetched and waiting.
    var queuedRecords: Int { queue[queueHead...].reduce(0) { $0 + $1.count } }

    func enqueue(_ batch: FetchedBatch) { queue.append(batch) }

    func dequeue() -> FetchedBatch? {
        guard queueHead < queue.count else { return nil }
        let batch = queue[queueHead]
        queueHead += 1
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
        return batch
    }

    /// Drops everything queued; returns how many records that was.
    func dropQueue() -> Int {
        let dropped = queuedRecords
        queue.removeAll()
        queueHead = 0
        return dropped
    }

    /// Nothing is running, pending, waiting for a retry, or unacknowledged.
    var isDrained: Bool {
        // A failed lane never finishes (FATAL, or a call that never returned): nothing to wait for.
        if failed { return true }
        return !running && pendingBatches == 0 && readyRetries.isEmpty && ledger.isEmpty
    }
}
