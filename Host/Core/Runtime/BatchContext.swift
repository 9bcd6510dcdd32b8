import CSluicePlugin
import Synchronization

/// One delivery of (some of) a fetched batch to a plugin: the C `sluice_batch`
/// the plugin sees and the result array it writes. A retry is a new context
/// over the same fetched batch and ledger ticket. Immutable once built: where a
/// delivery is in its life is the state machine's business.
final class BatchContext: DeliveryRecords, @unchecked Sendable {
    // @unchecked: the C memory is written by the plugin during its call (or
    // until complete()), and read by the host only after it finished.
    private static let nextIdentifier = Atomic<UInt64>(1)

    let id: UInt64
    let handle: PartitionHandle
    /// Keeps the fetched records (and the memory they point into) alive; nil
    /// for a delivery of timers.
    let fetched: FetchedBatch?
    let ticket: OffsetLedger.Ticket
    let attempt: UInt32
    let messages: UnsafeMutableBufferPointer<sluice_message>
    private let ownsMessages: Bool
    let results: UnsafeMutableBufferPointer<UInt8>
    let batch: UnsafeMutablePointer<sluice_batch>
    /// The delivery's span when tracing is on (set before on_batch); nil otherwise.
    private let spanSlot = Mutex<BatchSpan?>(nil)

    /// A first delivery of the whole fetched batch.
    convenience init(handle: PartitionHandle, fetched: FetchedBatch, ticket: OffsetLedger.Ticket) {
        self.init(handle: handle, fetched: fetched, ticket: ticket, attempt: 1,
                  messages: fetched.messages, ownsMessages: false)
    }

    /// A delivery of due timers: no records (on_timer gets the timers).
    convenience init(timersOf handle: PartitionHandle, ticket: OffsetLedger.Ticket) {
        self.init(handle: handle, fetched: nil, ticket: ticket, attempt: 1,
                  messages: .allocate(capacity: 0), ownsMessages: true)
    }

    /// A redelivery of `indices` of `previous` (attempt + 1).
    convenience init(retrying previous: BatchContext, indices: [Int]) {
        let subset = UnsafeMutableBufferPointer<sluice_message>.allocate(capacity: indices.count)
        for (position, index) in indices.enumerated() {
            (subset.baseAddress! + position).initialize(to: previous.messages[index])
        }
        self.init(handle: previous.handle, fetched: previous.fetched, ticket: previous.ticket,
                  attempt: previous.attempt + 1, messages: subset, ownsMessages: true)
    }

    private init(handle: PartitionHandle, fetched: FetchedBatch?, ticket: OffsetLedger.Ticket, attempt: UInt32,
                 messages: UnsafeMutableBufferPointer<sluice_message>, ownsMessages: Bool) {
        id = BatchContext.nextIdentifier.wrappingAdd(1, ordering: .relaxed).oldValue
        self.handle = handle
        self.fetched = fetched
        self.ticket = ticket
        self.attempt = attempt
        self.messages = messages
        self.ownsMessages = ownsMessages
        results = .allocate(capacity: messages.count)
        results.initialize(repeating: UInt8(SLUICE_RESULT_OK.rawValue))
        batch = .allocate(capacity: 1)
        batch.initialize(to: sluice_batch(
            id: id, topic: UnsafePointer(handle.topicCString), partition: handle.partition.partition,
            attempt: attempt, partition_state: handle.partitionState,
            count: messages.count, messages: UnsafePointer(messages.baseAddress), results: results.baseAddress))
    }

    deinit {
        batch.deinitialize(count: 1)
        batch.deallocate()
        results.deallocate()
        if ownsMessages { messages.deallocate() }
    }

    /// The delivery's span, once tracing started one.
    var span: BatchSpan? {
        get { spanSlot.withLock { $0 } }
        set { spanSlot.withLock { $0 = newValue } }
    }

    /// Number of messages in this delivery.
    var count: Int { messages.count }

    /// Whether this delivers due timers rather than records.
    var isTimerDelivery: Bool { fetched == nil }

    /// The source offset of message `index` (-1 for a delivery without records).
    func offset(at index: Int) -> Int64 { index < messages.count ? messages[index].offset : -1 }

    /// The results the plugin wrote; read only once the delivery finished.
    var writtenResults: DeliveryResults { DeliveryResults(results: UnsafeBufferPointer(results)) }
}

/// Builds the C batches the state machine dispatches.
struct BatchContextFactory: DeliveryFactory {
    func firstDelivery(of fetched: FetchedBatch, resources: PartitionHandle, ticket: OffsetLedger.Ticket) -> BatchContext {
        BatchContext(handle: resources, fetched: fetched, ticket: ticket)
    }

    func redelivery(of delivery: BatchContext, indices: [Int]) -> BatchContext {
        BatchContext(retrying: delivery, indices: indices)
    }

    func timerDelivery(resources: PartitionHandle, ticket: OffsetLedger.Ticket) -> BatchContext {
        BatchContext(timersOf: resources, ticket: ticket)
    }
}
