import CSluicePlugin
import Foundation

/// A batch a ``BatchAgent`` finishes later (see ``MessageBatch/finishLater()``):
/// write results from any thread, then call ``complete()`` exactly once.
///
/// The messages stay valid until ``complete()``. Calls after completion are
/// ignored (the batch memory belongs to the host again). A handle released
/// without completion completes itself with every message set to retry, so a
/// forgotten batch never stalls its partition.
public final class PendingBatch: @unchecked Sendable {
    // @unchecked: the batch pointer is valid until complete() (header,
    // OWNERSHIP); `finished` is guarded by `lock`, and every access to the batch
    // checks it under the lock first.
    private let batch: BorrowedBatch
    private let host: HostServices
    private let lock = NSLock()
    private var finished = false
    private var finishedFatal = false
    private var onBatchReturned = false
    private let whenFinished: (@Sendable () -> Void)?

    init(batch: BorrowedBatch, host: HostServices, whenFinished: (@Sendable () -> Void)? = nil) {
        self.batch = batch
        self.host = host
        self.whenFinished = whenFinished
    }

    deinit {
        // Only reachable once on_batch returned (the SDK holds a reference until then).
        if !finished {
            for index in 0..<batch.count where batch.result(at: index) == .ok {
                batch.setResult(.retry, at: index)
            }
            host.setError(batchID: batch.id, index: nil, reason: "pending batch released without complete()")
            host.complete(batchID: batch.id, fatal: false)
            whenFinished?()
        }
    }

    /// The batch id.
    public var id: UInt64 { batch.id }
    /// The number of messages.
    public var count: Int { batch.count }
    /// The W3C `traceparent` of this batch's span, to send on requests made
    /// for it; nil when the host traces nothing (or after ``complete()``).
    public var traceparent: String? { host.traceparent(batchID: id) }

    /// Runs `body` with the messages, unless the batch is already completed.
    /// The views are valid only inside `body`.
    public func withMessages<R>(_ body: (Messages) throws -> R) rethrows -> R? {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return nil }
        return try body(Messages(batch: batch))
    }

    /// Sets the result of message `index`.
    public func setResult(_ result: MessageResult, at index: Int) { mark(result, at: index, reason: nil) }

    /// Redeliver message `index` later, with `reason`.
    public func retry(at index: Int, reason: String) { mark(.retry, at: index, reason: reason) }

    /// Dead-letter message `index` with `reason`.
    public func deadLetter(at index: Int, reason: String) { mark(.deadLetter, at: index, reason: reason) }

    /// Ignore message `index` deliberately.
    public func skip(at index: Int) { setResult(.skip, at: index) }

    /// Produces a record tied to this batch (see ``MessageBatch/produce(topic:key:value:headers:partition:)``).
    public func produce(topic: String, key: (any RecordBytes)?, value: (any RecordBytes)?,
                        headers: [RecordHeader] = [], partition: Int32? = nil) throws(ProduceError) {
        try host.produce(batchID: id, topic: topic, key: key, value: value, headers: headers, partition: partition)
    }

    /// Finishes the batch with the results written so far. Only the first
    /// call (of this and ``fail(reason:)``) has an effect.
    public func complete() { finish(fatalReason: nil) }

    /// Finishes the batch as fatal: the agent cannot go on.
    public func fail(reason: String) { finish(fatalReason: reason) }

    /// Marks the batch finished without calling the host, because the SDK
    /// answers `on_batch` synchronously instead. False if already finished.
    func claim() -> Bool {
        lock.lock()
        if finished { lock.unlock(); return false }
        finished = true
        onBatchReturned = true
        lock.unlock()
        whenFinished?()
        return true
    }

    /// What `on_batch` returns: PENDING, or, when the batch was finished
    /// before `on_batch` could return, DONE/FATAL directly. Either way the host
    /// never sees complete() for a batch before `on_batch` answered PENDING.
    func statusForOnBatch() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        onBatchReturned = true
        guard finished else { return Int32(SLUICE_BATCH_PENDING.rawValue) }
        return Int32((finishedFatal ? SLUICE_BATCH_FATAL : SLUICE_BATCH_DONE).rawValue)
    }

    private func mark(_ result: MessageResult, at index: Int, reason: String?) {
        guard index >= 0 && index < count else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        batch.setResult(result, at: index)
        // set_error must come before complete(); holding the lock orders them.
        if let reason { host.setError(batchID: id, index: index, reason: reason) }
    }

    private func finish(fatalReason: String?) {
        lock.lock()
        if finished { lock.unlock(); return }
        if let fatalReason { host.setError(batchID: id, index: nil, reason: fatalReason) }
        finished = true
        finishedFatal = fatalReason != nil
        let tellHost = onBatchReturned
        lock.unlock()
        if tellHost { host.complete(batchID: id, fatal: fatalReason != nil) }
        whenFinished?()
    }
}
