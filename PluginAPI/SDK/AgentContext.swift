/// The host services while one batch is handled: ``produce(topic:key:value:headers:partition:)``
/// ties records to the batch, so the host commits its offsets only once the
/// broker acknowledged them.
public struct AgentContext: Sendable {
    /// The instance's host services (for work not tied to this batch).
    public let host: HostServices
    /// The batch being handled.
    public let batchID: UInt64
    /// The batch's topic.
    public let topic: String
    /// The batch's partition.
    public let partition: Int32
    /// 1 for the first delivery, 2 for the first retry, ...
    public let attempt: UInt32
    @usableFromInline let slot: PartitionSlot?
    /// Reaches the tables and timers; nil for an agent that keeps none.
    let session: StateSession?
    /// The instance's encoder for ``produce(topic:key:json:headers:partition:)``; nil: one per value.
    let encoder: ReusableRecordEncoder?
    /// Gathers the batch's records for the host (nil: each goes at once).
    let outbox: ProduceOutbox?

    init(host: HostServices, batchID: UInt64, topic: String, partition: Int32, attempt: UInt32,
         slot: PartitionSlot?, session: StateSession? = nil, encoder: ReusableRecordEncoder? = nil,
         outbox: ProduceOutbox? = nil) {
        self.encoder = encoder
        self.outbox = outbox
        self.host = host
        self.batchID = batchID
        self.topic = topic
        self.partition = partition
        self.attempt = attempt
        self.slot = slot
        self.session = session
    }

    /// What ``SluiceAgent/openPartition(topic:partition:)`` returned for this
    /// partition, if it is of type `type`. Batches of one partition are
    /// handled one after the other, so the state needs no lock of its own.
    public func partitionState<State: AnyObject>(as type: State.Type = State.self) -> State? {
        slot?.userState as? State
    }

    /// The W3C `traceparent` of this batch's span, to send on requests made
    /// for it; nil when the host traces nothing. Asks the host on each use.
    public var traceparent: String? { host.traceparent(batchID: batchID) }

    /// Produces a record tied to this batch.
    ///
    /// A stateless agent's records are gathered and reach the host together,
    /// in order, once the batch's records are handled (or every 512 records);
    /// a host older than ABI 1.3, or an agent with tables, gets each at once.
    /// - Parameters:
    ///   - topic: the destination topic.
    ///   - key: the key (`String`, `[UInt8]`, `Data`, ...), or `nil`.
    ///   - value: the value, or `nil` for a tombstone.
    ///   - headers: headers to attach.
    ///   - partition: a partition, or `nil` to let the host choose (murmur2 of the key).
    public func produce(topic: String, key: (any RecordBytes)?, value: (any RecordBytes)?,
                        headers: [RecordHeader] = [], partition: Int32? = nil) throws(ProduceError) {
        if let outbox, try outbox.produce(topic: topic, key: key, value: value, headers: headers, partition: partition) {
            return
        }
        try host.produce(batchID: batchID, topic: topic, key: key, value: value, headers: headers, partition: partition)
    }

    /// Produces a record tied to this batch whose value is `value` encoded as
    /// compact JSON by ``RecordEncoder``: written straight into the
    /// instance's kept byte buffer (no encoder and no buffer per record,
    /// no Foundation `JSONEncoder`), which the host copies.
    /// - Throws: `EncodingError` when `value` cannot be JSON (a NaN, say);
    ///   ``ProduceError`` when the host refuses the record.
    public func produce(topic: String, key: (any RecordBytes)?, json value: some Encodable,
                        headers: [RecordHeader] = [], partition: Int32? = nil) throws {
        if let outbox, try outbox.produce(topic: topic, key: key, json: value, headers: headers, partition: partition) {
            return
        }
        let send = { (encoder: RecordEncoder) throws in
            try encoder.withEncoded(value) { bytes in
                try host.produce(batchID: batchID, topic: topic, key: key, value: bytes, headers: headers, partition: partition)
            }
        }
        if let encoder { try encoder.withEncoder(send) } else { try send(RecordEncoder()) }
    }

    /// Logs a line under the agent's name.
    public func log(_ level: LogLevel, _ message: String) { host.log(level, message) }
    /// A counter named `sluice_plugin_<name>`.
    public func counter(_ name: String) -> Counter { host.counter(name) }
    /// A gauge named `sluice_plugin_<name>`.
    public func gauge(_ name: String) -> Gauge { host.gauge(name) }
    /// A histogram named `sluice_plugin_<name>`.
    public func histogram(_ name: String) -> Histogram { host.histogram(name) }

    // MARK: Tables and timers (ABI 1.2)

    /// Table `name` (declared in ``Agent/tables``) with values of type
    /// `Value`, stored as JSON: `try context.table("totals", as: Int.self).update(user, default: 0) { $0 += 1 }`.
    public func table<Value: Codable>(_ name: String, as type: Value.Type = Value.self) -> Table<Value> {
        Table(name: name, session: session)
    }

    /// Table `name` with raw byte values, stored as given.
    public func rawTable(_ name: String) -> RawTable {
        RawTable(name: name, session: session)
    }

    /// Windowed table `name` (declared with ``TableDeclaration/windowed(_:_:grace:emit:to:)``).
    public func window<Value: Codable>(_ name: String, as type: Value.Type = Value.self) -> WindowedTable<Value> {
        WindowedTable(name: name, session: session, context: self)
    }

    /// The partition's stream time as this instance has seen it: the highest
    /// timestamp of the records it handled (before the current one) since the
    /// partition was assigned, or the host's stream time in its latest timer
    /// batch when higher, in epoch milliseconds; -1 before any. (Kept only
    /// for agents with tables or timers.)
    public var streamTime: Int64 { session?.streamTime ?? -1 }

    /// Schedules a timer of this partition: ``Agent/onTimer(_:context:)``
    /// receives it (origin ``TimerFiring/Origin/scheduled``, name `key`) once
    /// `clock` reaches `dueMilliseconds`. Scheduling the same (clock, key)
    /// again moves it. Kept with the tables: it survives restarts. The agent
    /// must set ``Agent/handlesTimers``.
    public func scheduleTimer(_ key: String, at dueMilliseconds: Int64, clock: TimerClock = .wall) throws {
        try host.scheduleTimer(batchID: batchID, clock: clock, dueMilliseconds: dueMilliseconds, key: WindowKeys.scheduledTimer(key))
    }

    /// Cancels a timer scheduled with ``scheduleTimer(_:at:clock:)``; a missing one is fine.
    public func cancelTimer(_ key: String, clock: TimerClock = .wall) throws {
        try host.cancelTimer(batchID: batchID, clock: clock, key: WindowKeys.scheduledTimer(key))
    }
}
