#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex with one condition variable, for the few places where a thread has
/// to sleep until another thread changes shared state (fetchers waiting for
/// records, drains waiting for in-flight work).
///
/// Swift's `Mutex` has no condition variable; this wraps pthreads directly.
public final class ConditionLock: @unchecked Sendable {
    // @unchecked: the pthread objects are only touched through pthread calls,
    // which are thread-safe by contract.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates an unlocked lock.
    public init() {
        var mutexAttributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&mutexAttributes)
        #if os(Linux)
        // Adaptive: a thread that finds the lock taken spins briefly before
        // sleeping. The sections this lock guards are short and hot (a
        // produced record's bookkeeping, a broker append); with a plain mutex
        // two threads that meet there each paid a futex sleep and wake-up.
        pthread_mutexattr_settype(&mutexAttributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        pthread_mutex_init(mutex, &mutexAttributes)
        pthread_mutexattr_destroy(&mutexAttributes)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held.
    @inline(__always)
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// With the lock held: sleeps until `predicate` is true or `timeout` passes.
    /// Returns the predicate's final value. Must be called inside `withLock`.
    public func wait(timeout: Duration, until predicate: () -> Bool) -> Bool {
        if predicate() { return true }
        let deadline = ConditionLock.monotonicNow() + timeout
        while !predicate() {
            let remaining = deadline - ConditionLock.monotonicNow()
            if remaining <= .zero { return predicate() }
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            let (seconds, attoseconds) = remaining.components
            var nanos = Int(spec.tv_nsec) + Int(attoseconds / 1_000_000_000)
            var secs = Int(spec.tv_sec) + Int(seconds)
            if nanos >= 1_000_000_000 { secs += 1; nanos -= 1_000_000_000 }
            spec.tv_sec = secs
            spec.tv_nsec = nanos
            pthread_cond_timedwait(condition, mutex, &spec)
        }
        return true
    }

    /// Wakes every waiter. Call it after changing what waiters check.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Wakes one thread waiting in `wait`: for waiters that all wait for the
    /// same thing, any one of which can take it (a worker pool's queue).
    public func signal() {
        pthread_cond_signal(condition)
    }

    /// The monotonic clock's reading.
    public static func monotonicNow() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
    }
}
