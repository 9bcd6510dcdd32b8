import CSluicePlugin

/// One batch of one partition's messages, handed to ``BatchAgent/handle(_:)``:
/// borrowed, zero-copy views of the messages plus their per-message results.
///
/// Non-copyable so it cannot outlive the call by accident; to finish later,
/// call ``finishLater()``.
public struct MessageBatch: ~Copyable {
    let batch: BorrowedBatch
    /// The host services of the instance.
    public let host: HostServices
    let inFlight: InFlightBatches
    var pending: PendingBatch?

    init(batch: BorrowedBatch, host: HostServices, inFlight: InFlightBatches) {
        self.batch = batch
        self.host = host
        self.inFlight = inFlight
    }

    /// The batch id (unique per host process).
    public var id: UInt64 { batch.id }
    /// The topic (a copy of the host's string).
    public var topic: String { batch.topic }
    /// The partition.
    public var partition: Int32 { batch.partition }
    /// 1 for the first delivery, 2 for the first retry, ...
    public var attempt: UInt32 { batch.attempt }
    /// The number of messages.
    public var count: Int { batch.count }
    /// The W3C `traceparent` of this batch's span, to send on requests made
    /// for it; nil when the host traces nothing. Asks the host on each use.
    public var traceparent: String? { host.traceparent(batchID: id) }
    /// The messages in ascending offset order (borrowed views; see ``Message``).
    public var messages: Messages { Messages(batch: batch) }
    /// The message at `index`.
    public subscript(index: Int) -> Message { messages[index] }

    /// What ``SluiceAgent/openPartition(topic:partition:)`` returned for this
    /// batch's partition, if it is of type `type`.
    public func partitionState<State: AnyObject>(as type: State.Type = State.self) -> State? {
        batch.slot?.userState as? State
    }

    /// The result of message `index` so far (``MessageResult/ok`` unless set).
    public func result(at index: Int) -> MessageResult {
        precondition(index >= 0 && index < count, "message index out of range")
        return batch.result(at: index)
    }

    /// Sets the result of message `index`.
    public mutating func setResult(_ result: MessageResult, at index: Int) {
        precondition(index >= 0 && index < count, "message index out of range")
        batch.setResult(result, at: index)
    }

    /// Redeliver message `index` later; `reason` goes to the host's log.
    public mutating func retry(at index: Int, reason: String) {
        setResult(.retry, at: index)
        host.setError(batchID: id, index: index, reason: reason)
    }

    /// Dead-letter message `index` with `reason` (in the dead-letter headers).
    public mutating func deadLetter(at index: Int, reason: String) {
        setResult(.deadLetter, at: index)
        host.setError(batchID: id, index: index, reason: reason)
    }

    /// Ignore message `index` deliberately.
    public mutating func skip(at index: Int) {
        setResult(.skip, at: index)
    }

    /// Produces a record tied to this batch: its offsets are committed only
    /// after the broker acknowledged the record. See ``HostServices/produce(batchID:topic:key:value:headers:partition:)``.
    public func produce(topic: String, key: (any RecordBytes)?, value: (any RecordBytes)?,
                        headers: [RecordHeader] = [], partition: Int32? = nil) throws(ProduceError) {
        try host.produce(batchID: id, topic: topic, key: key, value: value, headers: headers, partition: partition)
    }

    /// Answers the batch with `SLUICE_BATCH_PENDING`: the results are written
    /// and the batch completed later, from any thread, through the returned
    /// handle. Call it at most once; later calls return the same handle.
    public mutating func finishLater() -> PendingBatch {
        if let pending { return pending }
        inFlight.enter()
        let made = PendingBatch(batch: batch, host: host, whenFinished: { [inFlight] in inFlight.leave() })
        pending = made
        return made
    }
}

/// The borrowed messages of a batch, in ascending offset order.
public struct Messages: RandomAccessCollection {
    let batch: BorrowedBatch
    /// `0`.
    public var startIndex: Int { 0 }
    /// The number of messages.
    public var endIndex: Int { batch.count }
    /// The message at `position` (a borrowed view).
    public subscript(position: Int) -> Message {
        precondition(position >= 0 && position < batch.count, "message index out of range")
        return batch.message(at: position)
    }
}
