/// The low-level, fast way to write an agent: one synchronous call per batch,
/// with borrowed, zero-copy views of the messages.
///
/// ``handle(_:)`` runs on the host's worker thread. Results start as
/// ``MessageResult/ok``; set others with ``MessageBatch/setResult(_:at:)``,
/// ``MessageBatch/retry(at:reason:)``, ``MessageBatch/deadLetter(at:reason:)`` or
/// ``MessageBatch/skip(at:)``. The SDK allocates nothing per message.
///
/// To finish the batch later (pipelining requests to a server), call
/// ``MessageBatch/finishLater()`` and complete the returned ``PendingBatch``
/// from any thread.
///
/// A thrown error applies to the whole batch: ``AgentError`` cases map to
/// their result for every message (``AgentError/fatal(_:)`` to a fatal batch),
/// any other error to retry. Set per-message results instead when only some
/// messages failed.
public protocol BatchAgent: SluiceAgent {
    /// Handles one batch of one partition. Batches of different partitions may
    /// run concurrently; one partition's batches arrive one at a time in
    /// ascending offset order.
    func handle(_ batch: inout MessageBatch) throws

    /// Pushes out buffered work (the C `flush` hook). Before it returns, every
    /// ``PendingBatch`` of the instance should be completed. Default: nothing.
    func flush() throws
}

extension BatchAgent {
    /// Default: nothing buffered.
    public func flush() throws {}
}
