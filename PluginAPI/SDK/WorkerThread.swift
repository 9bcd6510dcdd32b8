import Foundation
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// A named POSIX thread that can be joined.
///
/// Foundation's `Thread` can be neither joined nor reliably named on Linux (a
/// name set before `start()` never reaches the kernel), and an instance's
/// threads must be gone when `destroy` returns, so the SDK starts its own.
final class WorkerThread: @unchecked Sendable {
    // @unchecked: `handle` is written once, in init, before the thread is shared.
    /// The longest name the platform keeps: Linux allows 15 bytes, Darwin 63.
    #if os(Linux)
    static let maximumNameLength = 15
    #else
    static let maximumNameLength = 63
    #endif

    private let handle: pthread_t

    /// Starts a thread named `name` (cut to ``maximumNameLength`` bytes) that
    /// runs `body` and then ends; returns once the thread carries its name.
    /// - Throws: ``WorkerThreadError`` when the system refuses another thread.
    init(name: String, body: @escaping @Sendable () -> Void) throws(WorkerThreadError) {
        let named = DispatchSemaphore(value: 0)
        let start = Unmanaged.passRetained(WorkerThreadStart(name: name, named: named, body: body)).toOpaque()
        #if canImport(Darwin)
        var created: pthread_t?
        #else
        var created = pthread_t()
        #endif
        let status = pthread_create(&created, nil, { runWorkerThread($0) }, start)
        #if canImport(Darwin)
        guard status == 0, let created else {
            Unmanaged<WorkerThreadStart>.fromOpaque(start).release()
            throw WorkerThreadError(name: name, code: status)
        }
        #else
        guard status == 0 else {
            Unmanaged<WorkerThreadStart>.fromOpaque(start).release()
            throw WorkerThreadError(name: name, code: status)
        }
        #endif
        handle = created
        named.wait()
    }

    /// True when called on this thread.
    var isCurrent: Bool { pthread_equal(pthread_self(), handle) != 0 }

    /// Blocks until the thread has ended. Call once, from another thread.
    func join() { pthread_join(handle, nil) }

    /// Lets the thread release its resources by itself when it ends, for the
    /// one thread that cannot join itself. Call instead of ``join()``.
    func detach() { pthread_detach(handle) }
}

/// The system refused to start a thread.
struct WorkerThreadError: Error, CustomStringConvertible {
    /// The thread's name.
    let name: String
    /// The `pthread_create` error code.
    let code: Int32
    var description: String { "cannot start thread \(name): \(String(cString: strerror(code)))" }
}

/// What a new thread runs, passed through `pthread_create`'s context pointer.
private final class WorkerThreadStart {
    let name: String
    /// Signalled once the name is set, so the starter knows the thread runs.
    let named: DispatchSemaphore
    let body: @Sendable () -> Void

    init(name: String, named: DispatchSemaphore, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.named = named
        self.body = body
    }
}

/// The entry point of every ``WorkerThread``: names the thread, runs its body.
private func runWorkerThread(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let context else { return nil }
    let start = Unmanaged<WorkerThreadStart>.fromOpaque(context).takeRetainedValue()
    // A longer name is refused whole (ERANGE), so cut it; agent names are ASCII.
    Thread.current.name = String(decoding: start.name.utf8.prefix(WorkerThread.maximumNameLength), as: UTF8.self)
    start.named.signal()
    start.body()
    return nil
}
