import Foundation

/// Honours `Retry-After` for the whole agent: once a server asked to wait,
/// no request of this agent is sent before that instant.
final class RetryAfterGate: @unchecked Sendable {
    // @unchecked: `notBefore` is guarded by `lock`.
    private let lock = NSLock()
    private var notBefore = ContinuousClock.now

    /// Holds requests back until `delay` from now (never shortens a hold).
    func hold(for delay: Duration) {
        let until = ContinuousClock.now + delay
        lock.lock()
        if until > notBefore { notBefore = until }
        lock.unlock()
    }

    /// How long a request must still wait (zero when it may go now).
    var remaining: Duration {
        lock.lock()
        defer { lock.unlock() }
        let left = notBefore - ContinuousClock.now
        return left > .zero ? left : .zero
    }
}

extension Duration {
    /// The duration in seconds, for `DispatchQueue.asyncAfter`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
