import Foundation
import SluiceSDK

/// Counts the points of one pending batch still on their way to InfluxDB and
/// completes the batch when the last one has a result. Points of one batch may
/// travel in several requests (and, after a 400, in several bisected ones).
final class BatchTracker: @unchecked Sendable {
    // @unchecked: `remaining` is only touched with `lock` held; PendingBatch is thread-safe.
    private let pending: PendingBatch
    private let lock = NSLock()
    private var remaining: Int
    /// The batch span's W3C `traceparent`, sent on the write carrying its points; nil when untraced.
    let traceparent: String?

    /// Tracks `points` points of `pending`.
    init(_ pending: PendingBatch, points: Int, traceparent: String? = nil) {
        self.pending = pending
        remaining = points
        self.traceparent = traceparent
    }

    /// The point of message `index` was written.
    func written(_ index: Int) { resolve { _ in } }

    /// The point of message `index` must be retried.
    func retry(_ index: Int, reason: String) { resolve { $0.retry(at: index, reason: reason) } }

    /// The point of message `index` was refused for good.
    func deadLetter(_ index: Int, reason: String) { resolve { $0.deadLetter(at: index, reason: reason) } }

    private func resolve(_ mark: (PendingBatch) -> Void) {
        mark(pending)
        lock.lock()
        remaining -= 1
        let done = remaining == 0
        lock.unlock()
        if done { pending.complete() }
    }
}
