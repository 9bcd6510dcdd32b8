import Foundation

/// One partition's requests, one at a time and in batch order.
///
/// A pending batch frees the partition's lane, so the host may hand over the
/// next batch before the previous one's request has answered. Sending them one
/// after the other keeps a partition's results (and its index writes) in
/// offset order, while different partitions still run in parallel.
final class PartitionQueue: @unchecked Sendable {
    // @unchecked: `busy` and `waiting` are guarded by `lock`.

    /// A unit of work: starts asynchronous work and calls `done` exactly once when it has finished.
    typealias Job = @Sendable (_ done: @escaping @Sendable () -> Void) -> Void

    private let lock = NSLock()
    private var busy = false
    private var waiting: [Job] = []

    /// Runs `job` now if nothing of this partition is in flight, else after the jobs before it.
    func submit(_ job: @escaping Job) {
        lock.lock()
        if busy {
            waiting.append(job)
            lock.unlock()
            return
        }
        busy = true
        lock.unlock()
        run(job)
    }

    private func run(_ job: @escaping Job) {
        job { [self] in next() }
    }

    private func next() {
        lock.lock()
        guard !waiting.isEmpty else {
            busy = false
            lock.unlock()
            return
        }
        let job = waiting.removeFirst()
        lock.unlock()
        run(job)
    }
}
