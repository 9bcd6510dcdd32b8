import CSluicePlugin
import Synchronization

/// One delivery of (some of) a fetched batch to a plugin: the C `sluice_batch`
/// the plugin sees, its results, the reasons it set, and where it sits in the
/// partition's ledger. A retry is a new context over the same fetched batch
/// and ledger ticket.
///
/// Mutable members are guarded by the owning agent's lock.
final class BatchContext: @unchecked Sendable {
    /// Where a delivery is in its life.
    enum Phase {
        /// on_batch is running.
        case inCall
        /// on_batch returned PENDING; complete() has not come yet.
        case pending
        /// Results have been taken; nothing may touch the batch any more.
        case finished
    }

    private static let nextIdentifier = Atomic<UInt64>(1)

    let id: UInt64
    let lane: PartitionLane
    let fetched: FetchedBatch
    let ticket: OffsetLedger.Ticket
    let attempt: UInt32
    let messages: UnsafeMutableBufferPointer<sluice_message>
    private let ownsMessages: Bool
    let results: UnsafeMutableBufferPointer<UInt8>
    let batch: UnsafeMutablePointer<sluice_batch>
    let startedAt: Duration

    var phase: Phase = .inCall
    /// complete() arrived while on_batch was still running.
    var earlyCompletion: Int32?
    /// Reasons the plugin attached per message index.
    var reasons: [Int: String] = [:]
    /// A reason for the whole batch (FATAL, or a reason for every message).
    var batchReason: String?
    /// A record produced for this delivery failed, or the delivery timed out:
    /// send all of it round again, with this reason.
    var redeliveryReason: String?

    /// A first delivery of the whole fetched batch.
    convenience init(lane: PartitionLane, fetched: FetchedBatch, ticket: OffsetLedger.Ticket) {
        self.init(lane: lane, fetched: fetched, ticket: ticket, attempt: 1,
                  messages: fetched.messages, ownsMessages: false)
    }

    /// A redelivery of `indices` of `previous` (attempt + 1).
    convenience init(retrying previous: BatchContext, indices: [Int]) {
        let subset = UnsafeMutableBufferPointer<sluice_message>.allocate(capacity: indices.count)
        for (position, index) in indices.enumerated() {
            (subset.baseAddress! + position).initialize(to: previous.messages[index])
        }
        self.init(lane: previous.lane, fetched: previous.fetched, ticket: previous.ticket,
                  attempt: previous.attempt + 1, messages: subset, ownsMessages: true)
    }

    private init(lane: PartitionLane, fetched: FetchedBatch, ticket: OffsetLedger.Ticket, attempt: UInt32,
                 messages: UnsafeMutableBufferPointer<sluice_message>, ownsMessages: Bool) {
        id = BatchContext.nextIdentifier.wrappingAdd(1, ordering: .relaxed).oldValue
        self.lane = lane
        self.fetched = fetched
        self.ticket = ticket
        self.attempt = attempt
        self.messages = messages
        self.ownsMessages = ownsMessages
        results = .allocate(capacity: messages.count)
        results.initialize(repeating: UInt8(SLUICE_RESULT_OK.rawValue))
        batch = .allocate(capacity: 1)
        startedAt = ConditionLock.monotonicNow()
        batch.initialize(to: sluice_batch(
            id: id, topic: UnsafePointer(lane.topicCString), partition: lane.partition.partition,
            attempt: attempt, partition_state: lane.partitionState,
            count: messages.count, messages: UnsafePointer(messages.baseAddress), results: results.baseAddress))
    }

    deinit {
        batch.deinitialize(count: 1)
        batch.deallocate()
        results.deallocate()
        if ownsMessages { messages.deallocate() }
    }

    /// Number of messages in this delivery.
    var count: Int { messages.count }

    /// The reason for message `index`, falling back to the batch's.
    func reason(for index: Int, default fallback: String) -> String {
        reasons[index] ?? batchReason ?? fallback
    }
}
