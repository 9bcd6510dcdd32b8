import CSluicePlugin

/// A `sluice_batch` pointer carried into a task or another thread.
///
/// @unchecked Sendable because the header's OWNERSHIP rules make it safe: a
/// batch answered with `SLUICE_BATCH_PENDING` stays valid until complete() is
/// called for it, and the SDK calls complete() only after the last access. The
/// host does not touch the results or messages meanwhile, and one batch is
/// processed by one task at a time.
@usableFromInline
struct BorrowedBatch: @unchecked Sendable {
    @usableFromInline let raw: UnsafeMutablePointer<sluice_batch>

    var id: UInt64 { raw.pointee.id }
    @inlinable var count: Int { raw.pointee.count }
    var topic: String { raw.pointee.topic.map { String(cString: $0) } ?? "" }
    var partition: Int32 { raw.pointee.partition }
    var attempt: UInt32 { raw.pointee.attempt }

    @inlinable func message(at index: Int) -> Message { Message(raw: raw.pointee.messages + index) }

    func result(at index: Int) -> MessageResult {
        MessageResult(rawValue: raw.pointee.results[index]) ?? .ok
    }

    func setResult(_ result: MessageResult, at index: Int) {
        raw.pointee.results[index] = result.rawValue
    }

    /// Writes an agent's outcome as the message's result, and its reason, if
    /// any, into the host's error slot for the message.
    @usableFromInline
    func setOutcome(_ outcome: Outcome, at index: Int, host: HostServices) {
        switch outcome {
        case .ok: setResult(.ok, at: index)
        case .skip: setResult(.skip, at: index)
        case .retry(let reason):
            setResult(.retry, at: index)
            host.setError(batchID: id, index: index, reason: reason)
        case .deadLetter(let reason):
            setResult(.deadLetter, at: index)
            host.setError(batchID: id, index: index, reason: reason)
        }
    }

    /// The SDK's per-partition record, when the host called `open` for the partition.
    var slot: PartitionSlot? {
        raw.pointee.partition_state.map { Unmanaged<PartitionSlot>.fromOpaque($0).takeUnretainedValue() }
    }
}
