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
    let slot: PartitionSlot?

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
    /// - Parameters:
    ///   - topic: the destination topic.
    ///   - key: the key (`String`, `[UInt8]`, `Data`, ...), or `nil`.
    ///   - value: the value, or `nil` for a tombstone.
    ///   - headers: headers to attach.
    ///   - partition: a partition, or `nil` to let the host choose (murmur2 of the key).
    public func produce(topic: String, key: (any RecordBytes)?, value: (any RecordBytes)?,
                        headers: [RecordHeader] = [], partition: Int32? = nil) throws(ProduceError) {
        try host.produce(batchID: batchID, topic: topic, key: key, value: value, headers: headers, partition: partition)
    }

    /// Produces a record tied to this batch whose value is `value` encoded as
    /// compact JSON by ``RecordEncoder`` (written straight into a byte
    /// buffer, without Foundation's `JSONEncoder`).
    /// - Throws: `EncodingError` when `value` cannot be JSON (a NaN, say);
    ///   ``ProduceError`` when the host refuses the record.
    public func produce(topic: String, key: (any RecordBytes)?, json value: some Encodable,
                        headers: [RecordHeader] = [], partition: Int32? = nil) throws {
        try RecordEncoder().withEncoded(value) { bytes in
            try host.produce(batchID: batchID, topic: topic, key: key, value: bytes, headers: headers, partition: partition)
        }
    }

    /// Logs a line under the agent's name.
    public func log(_ level: LogLevel, _ message: String) { host.log(level, message) }
    /// A counter named `sluice_plugin_<name>`.
    public func counter(_ name: String) -> Counter { host.counter(name) }
    /// A gauge named `sluice_plugin_<name>`.
    public func gauge(_ name: String) -> Gauge { host.gauge(name) }
    /// A histogram named `sluice_plugin_<name>`.
    public func histogram(_ name: String) -> Histogram { host.histogram(name) }
}
