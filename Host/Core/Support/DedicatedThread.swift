import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Blocking work on threads of its own, so that it never occupies one of
/// Swift's cooperative threads.
///
/// The cooperative pool has one thread per core (two on a small machine). A
/// drain, a flush or a join that blocks one of them for seconds starves every
/// task waiting to run — among them the agents' own tasks inside Swift
/// plugins, which the blocked call may be waiting for.
public enum DedicatedThread {
    /// Runs `work` on a new thread named `name` and returns its result; the
    /// caller suspends (it does not block) until the work is done.
    public static func run<Value: Sendable, Failure: Error>(
        _ name: String, _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            start(name) {
                continuation.resume(returning: Result { () throws(Failure) -> Value in try work() })
            }
        }
        return try result.get()
    }

    /// Runs `work(index)` for every index in `0..<count`, each on a new thread
    /// named `name`, and blocks the calling thread until all have returned.
    ///
    /// Unlike `DispatchQueue.concurrentPerform`, the width is not limited to
    /// the number of cores and nothing runs on a shared pool: blocking work
    /// (agents draining) really runs in parallel.
    public static func runAllBlocking(_ name: String, count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            start(name) {
                work(index)
                group.leave()
            }
        }
        group.wait()
    }

    /// Starts `body` on a new thread named `name`: the one way the host starts
    /// a thread of its own (workers, fetchers, timers, watchers). Each thread
    /// stops by returning from `body`; its owner tells it when.
    ///
    /// The name is set from inside the thread, where Linux applies it
    /// (`Thread.name` set before `start()` is not), cut to the kernel's 15
    /// bytes, so `top -H`, `gdb` and crash reports show it.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            setCurrentName(name)
            body()
        }
        thread.name = name
        thread.start()
    }

    private static func setCurrentName(_ name: String) {
        #if os(Linux)
        // /proc/thread-self/comm is the calling thread's name (proc(5)); the
        // kernel keeps at most 15 bytes.
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
    }
}
