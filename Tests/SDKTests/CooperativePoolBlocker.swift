import Foundation

/// Occupies every thread of Swift concurrency's global cooperative pool with a
/// task that blocks on a semaphore, the way careless host or test code would.
///
/// Use it from a plain thread (see ``onHostThread(_:)``): code on the pool
/// itself could not run while the pool is blocked. Call ``release()`` in every
/// case (a `defer` right after creating it), or the whole test run stalls.
final class CooperativePoolBlocker: @unchecked Sendable {
    // @unchecked: the semaphores are thread-safe; `released` is only touched
    // by the thread that owns the blocker.
    /// The pool's width: one thread per active processor on Linux and Darwin.
    let width = ProcessInfo.processInfo.activeProcessorCount
    private let gate = DispatchSemaphore(value: 0)
    private let started = DispatchSemaphore(value: 0)
    private let probeRan = DispatchSemaphore(value: 0)
    private var blocking = 0
    private var released = false

    /// Starts one blocking task per pool thread and waits until all of them
    /// run; false if they did not within `timeout`.
    func blockEveryThread(timeout: TimeInterval = 10) -> Bool {
        for _ in 0..<width {
            let (gate, started) = (gate, started)
            blocking += 1
            Task.detached {
                started.signal()
                gate.wait()
            }
        }
        let deadline = DispatchTime.now() + timeout
        for _ in 0..<width where started.wait(timeout: deadline) == .timedOut { return false }
        return true
    }

    /// Queues a probe task and checks it does not start within `grace`: then
    /// the pool really is blocked. Call ``probeStillWaiting()`` later to check
    /// that it stayed blocked meanwhile.
    func poolIsBlocked(grace: TimeInterval = 0.2) -> Bool {
        let probeRan = probeRan
        Task.detached { probeRan.signal() }
        return probeRan.wait(timeout: .now() + grace) == .timedOut
    }

    /// True while the probe queued by ``poolIsBlocked(grace:)`` has not run.
    func probeStillWaiting() -> Bool {
        probeRan.wait(timeout: .now()) == .timedOut
    }

    /// Unblocks every blocking task; safe to call more than once.
    func release() {
        guard !released else { return }
        released = true
        for _ in 0..<blocking { gate.signal() }
    }
}
