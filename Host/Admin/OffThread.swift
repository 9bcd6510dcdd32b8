import Foundation

/// Runs `work` on a thread of its own and returns its result.
///
/// Pause, resume and reload block while agents drain: that must not hold one
/// of Swift's few cooperative threads (or an event loop) for seconds.
func offThread<Value: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> Value) async throws(Failure) -> Value {
    let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
        Thread {
            continuation.resume(returning: Result { () throws(Failure) -> Value in try work() })
        }.start()
    }
    return try result.get()
}
