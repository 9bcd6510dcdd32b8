import Synchronization

/// Counts the records a plugin produces for one delivery and their
/// acknowledgements, with atomics instead of the agent's lock.
///
/// A produced record holds its delivery's offsets back until the broker
/// stores it. Taking the agent's lock twice per produced record (once to
/// note it, once for its acknowledgement) made that lock the hottest in the
/// host whenever a plugin produced from several threads. Instead, while the
/// delivery is open, each produce adds one here and each acknowledgement
/// takes one off, without a lock. When the delivery settles, the state
/// machine closes the tally under its lock: records still unacknowledged then
/// become one unit of the delivery's ledger entry, which the acknowledgement
/// that brings the count to zero gives back (``ProduceTally/acknowledged()``
/// returns true for it). A produce after the close is refused, as for any
/// delivery that is no longer in flight.
///
/// A failed record is noted with its reason: before the close, the delivery
/// settles as sent round again; after it, the last acknowledgement reports
/// the failure and the state machine sends the settled delivery round again.
///
/// The last acknowledgement is reported through the closure set by
/// ``whenFinished(_:)``, which is let go as soon as it ran or the close found
/// nothing owed, so a tally kept by a thread's cache holds nothing else alive.
final class ProduceTally: Sendable {
    /// Set by `close()`; the bits below it count unacknowledged records.
    private static let closedBit: UInt64 = 1 << 63

    private let state = Atomic<UInt64>(0)
    /// Failures, and the close that reads them, are serialised by this lock
    /// (failures are rare): a failure is counted either before the close or
    /// after it, never both.
    private let failures = Mutex<Failures>(Failures())

    private struct Failures {
        var beforeClose: String?
        var afterClose: String?
        /// Reports the last acknowledgement after the close.
        var report: (@Sendable (_ failure: String?) -> Void)?
    }

    /// What the delivery owes when it settles.
    struct Closing: Equatable {
        /// Records produced and not acknowledged yet.
        let unacknowledged: Int
        /// The first failure acknowledged before the close.
        let failure: String?
    }

    /// Notes `count` more produced records; false once the delivery has
    /// settled (the records must be refused).
    func produced(count: Int = 1) -> Bool {
        var current = state.load(ordering: .relaxed)
        while current & Self.closedBit == 0 {
            let (exchanged, found) = state.compareExchange(
                expected: current, desired: current + UInt64(count), ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = found
        }
        return false
    }

    /// Sets what reports the last acknowledgement after the close, with the
    /// first failure acknowledged after it (nil: all were stored). Only the
    /// first call counts, and none after the close (nothing could be owed
    /// that was not produced before it). Set before the first record is produced.
    func whenFinished(_ report: @escaping @Sendable (_ failure: String?) -> Void) {
        failures.withLock { failures in
            guard failures.report == nil, state.load(ordering: .acquiring) & Self.closedBit == 0 else { return }
            failures.report = report
        }
    }

    /// `count` produced records were stored.
    func acknowledged(count: Int = 1) {
        guard state.subtract(UInt64(count), ordering: .acquiringAndReleasing).newValue == Self.closedBit else { return }
        finish()
    }

    /// `count` produced records failed for good with `reason`.
    func failed(_ reason: String, count: Int = 1) {
        let last = failures.withLock { failures in
            if state.load(ordering: .acquiring) & Self.closedBit == 0 {
                if failures.beforeClose == nil { failures.beforeClose = reason }
            } else if failures.afterClose == nil {
                failures.afterClose = reason
            }
            return state.subtract(UInt64(count), ordering: .acquiringAndReleasing).newValue == Self.closedBit
        }
        if last { finish() }
    }

    /// The delivery settled (the state machine's lock is held): no more
    /// records may be produced for it. Called once.
    func close() -> Closing {
        failures.withLock { failures in
            let before = state.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing).oldValue
            precondition(before & Self.closedBit == 0, "a produce tally closed twice")
            if before == 0 { failures.report = nil }
            return Closing(unacknowledged: Int(before), failure: failures.beforeClose)
        }
    }

    /// The last record the closed tally waited for came back: report it once.
    private func finish() {
        let (report, failure) = failures.withLock { failures in
            defer { failures.report = nil }
            return (failures.report, failures.afterClose)
        }
        report?(failure)
    }

    /// Records produced and not yet acknowledged (read by tests).
    var unacknowledged: Int {
        Int(state.load(ordering: .relaxed) & ~Self.closedBit)
    }
}
