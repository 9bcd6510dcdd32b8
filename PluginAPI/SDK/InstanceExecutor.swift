import Foundation

/// The threads one ``Agent`` instance's code runs on, as a `TaskExecutor`.
///
/// Every batch task is created with this executor as its preference, so the
/// agent's code, its child tasks (`async let`, task groups) and every
/// continuation after an `await` run here, never on Swift concurrency's global
/// cooperative pool. That pool is small (one thread per core) and shared with
/// the host process: code that blocks its threads would otherwise starve the
/// agent, and `flush` and `destroy`, which block the host's control thread
/// until the agent's work is done, would stall with it.
///
/// The threads start with the instance (`create`) and are joined in
/// ``shutdown()`` (`destroy`), after every queued job ran, so nothing outlives
/// the instance across hot reloads.
final class InstanceExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: every mutable stored property is guarded by `condition`.

    /// How many threads an instance starts: one per core, as the global pool
    /// would give it, but at most 4, so a host with many agents on a large
    /// machine does not run hundreds of mostly idle threads.
    static let defaultThreadCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))

    private let condition = NSCondition()
    /// Jobs not yet taken; `queue[next...]` are waiting, in arrival order.
    private var queue: [UnownedJob] = []
    private var next = 0
    private var stopping = false
    /// Threads that have not left their loop yet.
    private var running = 0
    private var threads: [WorkerThread] = []

    private init() {}

    /// Starts `threadCount` threads named `name`.
    /// - Throws: ``WorkerThreadError`` when a thread cannot be started (the
    ///   ones already started are stopped again).
    static func start(name: String, threadCount: Int = defaultThreadCount) throws(WorkerThreadError) -> InstanceExecutor {
        let executor = InstanceExecutor()
        for _ in 0..<max(1, threadCount) {
            do {
                try executor.addThread(named: name)
            } catch {
                executor.shutdown()
                throw error
            }
        }
        return executor
    }

    /// Starts one more thread running ``runJobs()``.
    private func addThread(named name: String) throws(WorkerThreadError) {
        condition.lock()
        running += 1
        condition.unlock()
        do {
            let thread = try WorkerThread(name: name) { self.runJobs() }
            condition.lock()
            threads.append(thread)
            condition.unlock()
        } catch {
            condition.lock()
            running -= 1
            condition.unlock()
            throw error
        }
    }

    /// Queues `job` for the instance's threads (the `TaskExecutor` requirement).
    func enqueue(_ job: consuming ExecutorJob) {
        condition.lock()
        guard running > 0 else {
            // Only a task that outlived destroy (a batch that never finished)
            // gets here: run it on the global pool rather than lose it.
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        queue.append(UnownedJob(job))
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads run every job queued so far (and those these jobs
    /// queue), then stops them. Call once.
    /// - Parameter join: wait until every thread has ended. Pass false when a
    ///   job may never return (a stuck batch), so the caller is not stuck too;
    ///   the threads then end on their own once the queue is empty.
    func shutdown(join: Bool = true) {
        condition.lock()
        stopping = true
        condition.broadcast()
        let threads = threads
        self.threads = []
        condition.unlock()
        for thread in threads {
            // A thread cannot join itself.
            if join && !thread.isCurrent { thread.join() } else { thread.detach() }
        }
    }

    /// One thread's loop: run jobs in arrival order until stopped and empty.
    private func runJobs() {
        let executor = asUnownedTaskExecutor()
        condition.lock()
        while true {
            if next < queue.count {
                let job = queue[next]
                next += 1
                compactQueue()
                condition.unlock()
                job.runSynchronously(on: executor)
                condition.lock()
            } else if stopping {
                break
            } else {
                condition.wait()
            }
        }
        running -= 1
        condition.unlock()
    }

    /// Drops taken jobs from the front, keeping the storage: at once when the
    /// queue is empty, else once they are the larger half (amortised O(1)).
    private func compactQueue() {
        if next == queue.count {
            queue.removeAll(keepingCapacity: true)
            next = 0
        } else if next >= 256 && next * 2 >= queue.count {
            queue.removeFirst(next)
            next = 0
        }
    }
}
