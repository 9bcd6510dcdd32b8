import CSluicePlugin

/// Dispatches the C hooks to a ``BatchAgent``.
final class BatchAgentInstance<A: BatchAgent>: TypedAgentInstance<A>, @unchecked Sendable {
    override func flushAgent() throws { try agent.flush() }

    override func onBatch(_ batch: BorrowedBatch) -> Int32 {
        var messageBatch = MessageBatch(batch: batch, host: host, inFlight: inFlight)
        do {
            try agent.handle(&messageBatch)
        } catch {
            // Someone already completed the pending batch: its results stand.
            if let pending = messageBatch.pending, !pending.claim() { return pending.statusForOnBatch() }
            return Self.apply(error, toWholeBatch: batch, host: host)
        }
        return messageBatch.pending?.statusForOnBatch() ?? Int32(SLUICE_BATCH_DONE.rawValue)
    }

    /// A batch-level error: the same result for every message.
    private static func apply(_ error: any Error, toWholeBatch batch: BorrowedBatch, host: HostServices) -> Int32 {
        switch outcome(for: error) {
        case .failure(let fatal):
            host.setError(batchID: batch.id, index: nil, reason: fatal.reason)
            return Int32(SLUICE_BATCH_FATAL.rawValue)
        case .success(let outcome):
            for index in 0..<batch.count { batch.setOutcome(outcome, at: index, host: host) }
            return Int32(SLUICE_BATCH_DONE.rawValue)
        }
    }
}
