/// The machine's view of one assigned partition: fetched batches waiting their
/// turn, retries, the offset ledger, and whether a plugin call holds the lane.
/// A lane is never dispatched twice at once: that is how a partition is never
/// processed concurrently with itself.
struct LaneState<Fetched: FetchedRecords, Delivery: DeliveryRecords, Resources> {
    /// Where the lane is in its life.
    enum Stage: Equatable {
        /// Fed and dispatched.
        case active
        /// Being revoked: nothing new is dispatched; in-flight work finishes.
        case revoking
        /// A FATAL batch, or a call that never returned: it never finishes.
        case failed
    }

    /// Why a lane is held, and the retry it holds.
    enum Hold {
        /// Not held.
        case none
        /// Retries ran out under `on_exhausted: pause`; `parked` runs once more on resume.
        case exhausted(reason: String, parked: Delivery)
    }

    let id: LaneID
    /// The shell's per-lane resources, handed to the factory for each delivery.
    let resources: Resources
    var stage: Stage = .active
    var hold: Hold = .none
    var ledger: OffsetLedger
    /// The offset last committed.
    var committed: Int64
    /// Fetched, not yet dispatched, from `queueHead` on. A dispatched slot is
    /// cleared at once: the batch (and, on Kafka, the librdkafka messages and
    /// fetch buffers its records point into) must be released when its
    /// delivery finishes, not when the queue next runs empty — a busy lane's
    /// queue may never run empty, and then it held every batch of the run.
    private var queue: [Fetched?] = []
    private var queueHead = 0
    /// Retries whose backoff has passed; they go before anything queued.
    var readyRetries: [Delivery] = []
    /// An on_batch call is running (or handed to a worker) for this delivery.
    var inCall: UInt64?
    /// Retry cycles under way: new batches wait so order is kept.
    var retryBlocks = 0
    /// Deliveries that returned PENDING and are not complete yet.
    var pendingDeliveries = 0
    /// Timers are due: a timer delivery goes before the next fetched batch.
    var timersDue = false

    init(id: LaneID, resources: Resources, startOffset: Int64, seals: Bool = false) {
        self.id = id
        self.resources = resources
        ledger = OffsetLedger(startingAt: startOffset, seals: seals)
        committed = startOffset
    }

    /// Records fetched and waiting.
    var queuedRecords: Int { queue[queueHead...].reduce(0) { $0 + ($1?.count ?? 0) } }

    mutating func enqueue(_ batch: Fetched) {
        // Drop the cleared prefix once it is half the array: amortized O(1).
        if queueHead > 0, queueHead >= queue.count / 2 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        queue.append(batch)
    }

    mutating func dequeue() -> Fetched? {
        guard queueHead < queue.count else { return nil }
        let batch = queue[queueHead]
        queue[queueHead] = nil
        queueHead += 1
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
        return batch
    }

    /// Drops everything queued; returns how many records that was.
    mutating func dropQueue() -> Int {
        let dropped = queuedRecords
        queue.removeAll()
        queueHead = 0
        return dropped
    }

    var isHeld: Bool { if case .none = hold { false } else { true } }

    /// No call is running on the lane, or it never will finish.
    var isQuiet: Bool { inCall == nil || stage == .failed }

    /// Nothing is running, pending, waiting for a retry, or unacknowledged.
    var isDrained: Bool {
        if stage == .failed { return true }
        return inCall == nil && pendingDeliveries == 0 && readyRetries.isEmpty && ledger.isEmpty
    }
}

/// The machine's view of one delivery that has not finished yet.
struct DeliveryState<Delivery: DeliveryRecords> {
    /// Where a delivery is in its life (a finished one is no longer tracked).
    enum Phase {
        /// on_batch is running; `early` holds a complete() that came before it returned.
        case inCall(early: EarlyCompletion?)
        /// on_batch returned PENDING; complete() has not come yet.
        case pending
    }

    /// A complete() that arrived while on_batch was still running.
    struct EarlyCompletion {
        let fatal: Bool
        let results: DeliveryResults
    }

    let delivery: Delivery
    let lane: LaneID
    let startedAt: Duration
    var phase: Phase = .inCall(early: nil)
    /// Reasons the plugin attached per record index.
    var reasons: [Int: String] = [:]
    /// A reason for the whole batch (FATAL, or a reason for every record).
    var batchReason: String?
    /// A record produced for this delivery failed: send all of it round again.
    var redeliveryReason: String?
    /// Records produced for it without the agent's lock (closed when it settles).
    let produced = ProduceTally()

    /// The reason for record `index`, falling back to the batch's.
    func reason(for index: Int, default fallback: String) -> String {
        reasons[index] ?? batchReason ?? fallback
    }
}
