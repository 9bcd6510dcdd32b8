import Foundation

/// Blocking work on threads of its own, so that it never occupies one of
/// Swift's cooperative threads.
///
/// The cooperative pool has one thread per core (two on a small machine). A
/// drain, a flush or a join that blocks one of them for seconds starves every
/// task waiting to run — among them the agents' own tasks inside Swift
/// plugins, which the blocked call may be waiting for.
public enum DedicatedThread {
    /// Runs `work` on a new thread named `name` and returns its result; the
    /// caller suspends (it does not block) until the work is done.
    public static func run<Value: Sendable, Failure: Error>(
        _ name: String, _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(Failure) -> Value in try work() })
            }
            thread.name = name
            thread.start()
        }
        return try result.get()
    }

    /// Runs `work(index)` for every index in `0..<count`, each on a new thread
    /// named `name`, and blocks the calling thread until all have returned.
    ///
    /// Unlike `DispatchQueue.concurrentPerform`, the width is not limited to
    /// the number of cores and nothing runs on a shared pool: blocking work
    /// (agents draining) really runs in parallel.
    public static func runAllBlocking(_ name: String, count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                work(index)
                group.leave()
            }
            thread.name = name
            thread.start()
        }
        group.wait()
    }
}
