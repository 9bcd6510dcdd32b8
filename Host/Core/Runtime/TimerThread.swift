import Foundation

/// A ``JobScheduler`` on one thread it owns: jobs wait in a deadline-ordered
/// queue and run on that thread when due. One is shared by the process's
/// agents (``shared``); it never blocks a Swift cooperative thread.
public final class TimerThread: JobScheduler, @unchecked Sendable {
    // @unchecked: `jobs` and `nextSequence` are guarded by `lock`.
    private struct Entry {
        let deadline: Duration
        /// Submission order: equal deadlines run first-in, first-out.
        let sequence: UInt64
        let job: @Sendable () -> Void
    }

    /// The process-wide scheduler, started on first use.
    public static let shared = TimerThread(name: "sluice-timers")

    private let lock = ConditionLock()
    /// Ordered by (deadline, sequence), soonest last (so the next job pops off the end).
    private var jobs: [Entry] = []
    private var nextSequence: UInt64 = 0

    /// Starts the thread, named `name`.
    public init(name: String) {
        DedicatedThread.start(name) { [unowned self] in run() }
    }

    public func schedule(after delay: Duration, _ job: @escaping @Sendable () -> Void) {
        lock.withLock {
            let entry = Entry(deadline: ConditionLock.monotonicNow() + max(delay, .zero), sequence: nextSequence, job: job)
            nextSequence += 1
            let position = jobs.firstIndex { ($0.deadline, $0.sequence) < (entry.deadline, entry.sequence) } ?? jobs.endIndex
            jobs.insert(entry, at: position)
        }
        lock.broadcast()
    }

    private func run() {
        while true {
            let job: (@Sendable () -> Void)? = lock.withLock {
                guard let next = jobs.last else {
                    _ = lock.wait(timeout: .seconds(60)) { !jobs.isEmpty }
                    return nil
                }
                let wait = next.deadline - ConditionLock.monotonicNow()
                if wait > .zero {
                    let sequence = next.sequence
                    // Wake early when a sooner job arrives.
                    _ = lock.wait(timeout: wait) { jobs.last?.sequence != sequence }
                    return nil
                }
                return jobs.removeLast().job
            }
            job?()
        }
    }
}
