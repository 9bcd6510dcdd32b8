import Foundation

/// A fixed set of threads that run plugin calls, sized to the cores.
///
/// Plugin code may block (a synchronous Redis round trip, a slow C library), so
/// it never runs on Swift's cooperative pool, where a blocked thread would
/// starve every async task in the process. Jobs are per batch, never per
/// message. A thread lost to a plugin call that never returns is replaced
/// (``replaceBlockedWorker()``), so hung plugins cannot take every worker.
public final class WorkerPool: @unchecked Sendable {
    // @unchecked: the queue and the counters are guarded by `lock`.
    /// A unit of work.
    public typealias Job = @Sendable () -> Void

    private let lock = ConditionLock()
    /// Queued jobs from `head` on. A taken job's slot is cleared at once: a
    /// job holds its batch (on Kafka, librdkafka's messages and the fetch
    /// buffers they point into) until it is released, and the slots before
    /// `head` are only reclaimed now and then.
    private var jobs: [Job?] = []
    private var head = 0
    private var stopping = false
    /// Threads started, including replacements.
    private var started = 0
    private var running = 0
    /// Where each thread notes the plugin call it runs (thread N: slot N); nil: not journaled.
    private let journal: CrashJournal?

    /// Starts `size` threads named `sluice-worker-N`; with `journal`, each
    /// notes its plugin calls in its own slot of the crash journal.
    public init(size: Int, journal: CrashJournal? = nil) {
        precondition(size > 0, "a worker pool needs at least one thread")
        self.journal = journal
        for _ in 0..<size { startThread() }
    }

    /// Number of threads started, including replacements.
    public var size: Int { lock.withLock { started } }

    /// Starts one more thread in place of one that is blocked for good inside
    /// a plugin call (C code cannot be interrupted). The blocked thread is
    /// abandoned; the other agents keep as many usable workers as before.
    public func replaceBlockedWorker() {
        startThread()
    }

    private func startThread() {
        let number: Int = lock.withLock {
            started += 1
            running += 1
            return started - 1
        }
        DedicatedThread.start("sluice-worker-\(number)") { [unowned self] in work(number) }
    }

    /// Queues `job`; it runs on some worker thread, in FIFO order of submission.
    public func submit(_ job: @escaping Job) {
        let stopping: Bool = lock.withLock {
            jobs.append(job)
            return self.stopping
        }
        // One idle worker is enough: waking them all (one context switch each,
        // per batch) only sent the others back to sleep. While stopping,
        // `shutdown` waits on the same condition, so everyone is woken.
        if stopping { lock.broadcast() } else { lock.signal() }
    }

    /// Lets queued jobs finish, then stops the threads and waits for them, at
    /// most `timeout`: a thread stuck inside a plugin call (one that never
    /// returns) cannot be interrupted and is abandoned. Returns false then.
    @discardableResult
    public func shutdown(timeout: Duration = .seconds(10)) -> Bool {
        lock.withLock { stopping = true }
        lock.broadcast()
        return lock.withLock { lock.wait(timeout: timeout) { running == 0 } }
    }

    private func work(_ number: Int) {
        // Room to report a fatal signal even when plugin code overflowed this thread's stack.
        FatalSignalReport.prepareThread()
        CrashJournalSlot.attachToCurrentThread(journal?.slot(number))
        while true {
            let job: Job? = lock.withLock {
                _ = lock.wait(timeout: .seconds(1)) { head < jobs.count || stopping }
                guard head < jobs.count else { return nil }
                let job = jobs[head]
                jobs[head] = nil
                head += 1
                if head > 1024, head * 2 > jobs.count {
                    jobs.removeFirst(head)
                    head = 0
                }
                return job
            }
            if let job {
                job()
                continue
            }
            let done = lock.withLock { stopping && head >= jobs.count }
            if done { break }
        }
        lock.withLock { running -= 1 }
        lock.broadcast()
    }
}
