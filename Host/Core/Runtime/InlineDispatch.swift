import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// When an agent's fetcher runs its batches itself instead of handing them
/// to a worker.
///
/// Catching up on Kafka, a fast plugin's batch (the no-op agent: tens of
/// microseconds per 1,000 records) costs less than waking a worker for it,
/// and the hand-off also moves the batch's messages to another core. So while
/// an agent's `on_batch` calls are short on average, the fetcher runs the
/// batches it has just dispatched on its own thread, one after another, and
/// polls again once they are done; measured on two cores, that is ≈ 9 % less
/// host CPU per record (BENCHMARKS.md, S1).
///
/// Only for what cannot block the agent's polling for long: an in-process
/// agent without tables or timers, record batches (never timer batches),
/// after `warmUpCalls` calls whose average stayed under `shortCall` (the
/// agent setting `inline_below`, 200 µs by default). If one inline call still
/// runs `takeoverAfter` later (a sink that stalls, a C library that blocks),
/// the runner's watchdog moves polling to a new fetcher thread, the stalled
/// thread ends once its call returns, and the agent's batches go to the
/// worker pool for the rest of its life (``disable()``).
final class InlineDispatch: @unchecked Sendable {
    // @unchecked: `queue` is touched only by the thread whose id `scopeThread`
    // holds; the rest is atomic.

    /// Calls measured (on workers) before the first inline batch.
    static let warmUpCalls = 16
    /// The average `on_batch` call below which batches run inline; zero: never.
    let shortCall: Duration
    /// An inline call running longer than this moves polling to a new thread:
    /// 200 ms, or ten times `shortCall` when that is longer.
    let takeoverAfter: Duration
    /// How often the watchdog looks at a running inline call.
    static let watchInterval: Duration = .milliseconds(50)

    /// Exponentially weighted average of the `on_batch` call time, in
    /// nanoseconds (weight 1/8). Written by whichever thread made the call;
    /// two calls that end together may lose one update, which only shifts
    /// the average a little.
    private let averageNanoseconds = Atomic<Int64>(0)
    private let calls = Atomic<Int>(0)
    private let isDisabled = Atomic<Bool>(false)
    /// Batches run on the fetcher thread so far.
    private let inlineRuns = Atomic<Int>(0)
    /// The thread that takes dispatched batches now (`pthread_self` as an
    /// integer), 0 when none: set by the fetcher around the events whose
    /// dispatches it runs itself.
    private let scopeThread = Atomic<UInt>(0)
    /// The batches dispatched to the scope's thread; a taken one is cleared
    /// at once, so its messages and fetch buffers go when its run ends.
    private var queue: [BatchContext?] = []
    private var next = 0

    /// Inline batches while the calls average below `shortCall` (zero: never).
    init(shortCall: Duration) {
        self.shortCall = shortCall
        takeoverAfter = max(.milliseconds(200), shortCall * 10)
    }

    /// Notes one `on_batch` call's duration.
    func record(callDuration: Duration) {
        let nanoseconds = max(0, callDuration.nanoseconds)
        let count = calls.add(1, ordering: .relaxed).newValue
        let average = averageNanoseconds.load(ordering: .relaxed)
        averageNanoseconds.store(count == 1 ? nanoseconds : average + (nanoseconds - average) / 8, ordering: .relaxed)
    }

    /// Whether the calls so far are short enough to run the next batches inline.
    var callsAreShort: Bool {
        !isDisabled.load(ordering: .relaxed) && calls.load(ordering: .relaxed) >= Self.warmUpCalls
            && averageNanoseconds.load(ordering: .relaxed) < shortCall.nanoseconds
    }

    /// No more inline batches for this agent (a call outlasted `takeoverAfter`).
    func disable() { isDisabled.store(true, ordering: .relaxed) }

    var disabled: Bool { isDisabled.load(ordering: .relaxed) }

    /// Batches run on the fetcher thread so far.
    var runs: Int { inlineRuns.load(ordering: .relaxed) }

    /// The average `on_batch` call so far (weighted toward the latest).
    var averageCall: Duration { .nanoseconds(averageNanoseconds.load(ordering: .relaxed)) }

    /// From now until ``leaveScope()``, batches dispatched on this thread are queued here.
    func enterScope() {
        scopeThread.store(Self.currentThread, ordering: .relaxed)
    }

    /// Dispatches go to the worker pool again.
    func leaveScope() { scopeThread.store(0, ordering: .relaxed) }

    /// Takes `delivery` for the calling thread to run, when it is the scope's
    /// thread and the delivery is a record batch; false: hand it to a worker.
    func take(_ delivery: BatchContext) -> Bool {
        guard !delivery.isTimerDelivery,
              scopeThread.load(ordering: .relaxed) == Self.currentThread
        else { return false }
        queue.append(delivery)
        return true
    }

    /// The next queued batch, in dispatch order (scope's thread only).
    func nextQueued() -> BatchContext? {
        guard next < queue.count else {
            queue.removeAll(keepingCapacity: true)
            next = 0
            return nil
        }
        let delivery = queue[next]
        queue[next] = nil
        next += 1
        inlineRuns.add(1, ordering: .relaxed)
        return delivery
    }

    /// The calling thread's id as an integer.
    private static var currentThread: UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }

    /// Every batch still queued, for the worker pool (scope's thread only).
    func takeQueued() -> [BatchContext] {
        let rest = queue[next...].compactMap { $0 }
        queue.removeAll(keepingCapacity: true)
        next = 0
        return rest
    }
}
