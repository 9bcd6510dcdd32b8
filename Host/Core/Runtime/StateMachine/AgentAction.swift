/// What the agent's shell must do after an event: the state machine decides,
/// the shell performs, outside the lock (plugin calls, produces, timers, logs).
enum AgentAction<Delivery: DeliveryRecords> {
    /// Hand `delivery` to a worker thread for one `on_batch` call.
    case dispatch(Delivery)
    /// Produce record `index` of `delivery` to the dead-letter topic; its
    /// acknowledgement is the event `deadLetterAcknowledged(lane:ticket:)`.
    case deadLetter(DeadLetterOrder<Delivery>)
    /// After the backoff for `backoffAttempt`, deliver `retry` (the event
    /// `retryDue(lane:delivery:)`).
    case scheduleRetry(lane: LaneID, retry: Delivery, backoffAttempt: Int)
    /// A delivery finished: its records' progress, for metrics.
    case finished(Progress)
    /// A PENDING delivery passed `batch_timeout` and is sent round again.
    case timedOut(Delivery, TopicPartition)
    /// Retries ran out under `on_exhausted: pause`: the partition is held.
    case heldPartition(TopicPartition)
    /// An `on_batch` call never returned: its worker thread is lost to the plugin.
    case replaceBlockedWorker
    /// The agent stops for good with this reason; the other agents go on.
    case fail(String)
    /// Wake the fetcher (backpressure eased, or a stop was asked).
    case wakeFetcher
    /// A stateful delivery settled: its state writes stand (`keep`) or are
    /// dropped (its records go round again, or the agent failed).
    case stateSettled(Delivery, lane: LaneID, keep: Bool)
    /// Seal lane `lane`'s state through `seal` (changelog, then local store),
    /// then report the event `sealed(lane)`.
    case seal(lane: LaneID, seal: OffsetLedger.Seal)

    /// How a finished delivery moved the agent's counts.
    struct Progress: Equatable {
        /// Records finished with OK or SKIP.
        var processed: Int
        /// Records sent round again.
        var retried: Int
        /// Records handed to the agent and not finished, after this delivery.
        var inFlight: Int
        /// How long the delivery took, from dispatch.
        var duration: Duration
    }
}

/// One record to dead-letter, and where its acknowledgement goes.
struct DeadLetterOrder<Delivery: DeliveryRecords> {
    /// The delivery holding the record.
    let delivery: Delivery
    /// The record's index in `delivery`.
    let index: Int
    /// Why, for the `sluice.error` header.
    let reason: String
    /// The lane whose ledger waits for the acknowledgement.
    let lane: LaneID
    /// The ledger entry it belongs to.
    let ticket: OffsetLedger.Ticket
}

/// A produced record tied to a delivery: what its acknowledgement settles.
struct ProduceReceipt<Delivery: DeliveryRecords> {
    /// The delivery that produced it.
    let delivery: Delivery
    /// The lane whose ledger waits for the acknowledgement.
    let lane: LaneID
    /// The ledger entry it belongs to.
    let ticket: OffsetLedger.Ticket
}

/// What the fetcher does next: stop, or poll for at most `budget` records,
/// first pausing or resuming the consumer's partitions for backpressure.
struct FetchPlan: Equatable {
    /// Leave the loop (stop requested, or the agent failed).
    var stop: Bool
    /// Most records to fetch now (0 while paused or at the in-flight limit).
    var budget: Int
    /// The in-flight limit was just reached: pause the consumer's partitions.
    var pausePartitions: Bool
    /// In-flight work fell below the low watermark: resume them.
    var resumePartitions: Bool
}

extension DeadLetterOrder: Sendable where Delivery: Sendable {}
extension ProduceReceipt: Sendable where Delivery: Sendable {}
