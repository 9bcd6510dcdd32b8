/// Records fetched for one partition and waiting for their turn, as the state
/// machine sees them: how many, and the offset range they cover.
protocol FetchedRecords {
    /// Where they come from.
    var source: TopicPartition { get }
    /// Number of records (at least one).
    var count: Int { get }
    /// Offset of the last record.
    var lastOffset: Int64 { get }
}

/// One delivery of records to a plugin (a first delivery or a redelivery), as
/// the state machine sees it. The shell's implementation also holds the C
/// memory the plugin reads; the machine only needs its identity and offsets.
protocol DeliveryRecords {
    /// The `batch_id` the plugin sees; unique for the process's lifetime.
    var id: UInt64 { get }
    /// Number of records.
    var count: Int { get }
    /// 1 for a first delivery, then one more per redelivery.
    var attempt: UInt32 { get }
    /// The ledger entry of the fetched batch the records come from (shared by
    /// every redelivery of it).
    var ticket: OffsetLedger.Ticket { get }
    /// The source offset of record `index`.
    func offset(at index: Int) -> Int64
}

/// Makes deliveries for the state machine: the one place where records become
/// something a plugin can read. The shell's factory builds C `sluice_batch`
/// structs; tests use plain values.
protocol DeliveryFactory {
    associatedtype Fetched: FetchedRecords
    associatedtype Delivery: DeliveryRecords
    /// What the shell keeps per lane for the plugin (the C topic name and the
    /// plugin's partition state); opaque to the machine.
    associatedtype LaneResources

    /// A first delivery of all of `fetched`, tracked as `ticket` in the lane's ledger.
    func firstDelivery(of fetched: Fetched, resources: LaneResources, ticket: OffsetLedger.Ticket) -> Delivery
    /// A redelivery of `indices` of `delivery` (attempt + 1).
    func redelivery(of delivery: Delivery, indices: [Int]) -> Delivery
    /// A delivery of the lane's due timers (no records), tracked as `ticket`.
    func timerDelivery(resources: LaneResources, ticket: OffsetLedger.Ticket) -> Delivery
}

extension FetchedBatch: FetchedRecords {}
