import Foundation

/// Counts an instance's batches that were answered PENDING and are not yet
/// completed, so `flush` and `destroy` can wait for them (the header asks
/// that flush return only once every pending batch is completed).
final class InFlightBatches: @unchecked Sendable {
    // @unchecked: `count` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var count = 0

    func enter() {
        condition.lock()
        count += 1
        condition.unlock()
    }

    func leave() {
        condition.lock()
        count -= 1
        if count == 0 { condition.broadcast() }
        condition.unlock()
    }

    /// Blocks the calling thread until none is in flight or `timeout` passed;
    /// returns how many are still in flight.
    func waitUntilIdle(timeout: TimeInterval) -> Int {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while count > 0 {
            if !condition.wait(until: deadline) { break }
        }
        return count
    }
}
