import Foundation

/// Runs a blocking plugin call (flush, destroy) on a thread of its own, as the
/// host's control thread would, and awaits its result. Blocking a thread of
/// Swift concurrency's small cooperative pool instead could starve the very
/// tasks the call waits for.
func onHostThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
