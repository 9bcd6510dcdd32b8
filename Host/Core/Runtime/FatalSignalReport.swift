import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One line on stderr when a fatal signal (SIGSEGV, SIGBUS, SIGABRT, SIGILL,
/// SIGFPE) kills the host, naming the agent whose plugin call was running on
/// the crashing thread:
///
///     sluice: fatal signal 11 while running agent recorder (plugin file plugins/recorder.so, image data/images/9f2c….so)
///
/// Plugins run inside the host's process and are mapped from content-addressed
/// copies, so a backtrace alone shows only `<data>/images/<hash>.so`. When the
/// crashing thread is a worker inside `on_batch` or `on_timer`, the handler
/// also stores the signal number in that thread's crash journal slot
/// (``CrashJournalSlot``), so the next start knows which records crashed the
/// plugin and how. The handler writes with `write(2)` and plain stores only,
/// then restores the action it replaced (the default, or the Swift runtime's
/// backtracer) and raises the signal again. When workers crash together, the
/// first reports and hands the signal on; the others store their signal and
/// wait in the handler for the process to end.
public enum FatalSignalReport {
    /// The signals reported.
    static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE]
    /// Bytes of each worker thread's alternate signal stack (a stack overflow
    /// in plugin code leaves no room on the thread's own stack).
    static let alternateStackSize = 64 * 1024

    private static let installed = Mutex(false)

    /// Installs the handler once per process (later calls do nothing). `sluice run` calls it.
    public static func install() {
        let first = installed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        _ = currentAgentCallKey  // created here, never first in the handler
        CrashJournalSlot.prepareKey()
        let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: Int(NSIG))
        previous.initialize(repeating: sigaction(), count: Int(NSIG))
        previousActions = previous
        reportBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: reportBufferSize, alignment: 1)
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = reportFatalSignal
            // No SA_RESETHAND: a second thread crashing while the first reports
            // must enter the handler (and wait there), not die silently at once.
            action.sa_flags = SA_ONSTACK
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, previous + Int(signal))
        }
        prepareThread()
    }

    /// Gives the calling thread an alternate signal stack, unless it has one.
    /// Returns the stack it installed (nil: none), for ``releaseThread(_:)``.
    @discardableResult
    static func prepareThread() -> UnsafeMutableRawPointer? {
        var current = stack_t()
        guard sigaltstack(nil, &current) == 0, current.ss_flags & Int32(SS_DISABLE) != 0 else { return nil }
        var stack = stack_t()
        let memory = UnsafeMutableRawPointer.allocate(byteCount: alternateStackSize, alignment: 16)
        stack.ss_sp = memory
        stack.ss_size = alternateStackSize
        stack.ss_flags = 0
        // A worker keeps it for its life, as long as the host's.
        guard sigaltstack(&stack, nil) == 0 else {
            memory.deallocate()
            return nil
        }
        return memory
    }

    /// Removes and frees the alternate stack ``prepareThread()`` gave the
    /// calling thread, for a thread that ends before the host does.
    static func releaseThread(_ memory: UnsafeMutableRawPointer?) {
        guard let memory else { return }
        var disabled = stack_t()
        disabled.ss_flags = Int32(SS_DISABLE)
        if sigaltstack(&disabled, nil) == 0 { memory.deallocate() }
    }

    /// Runs `body` (a call into plugin code) with `line` as the calling
    /// thread's report: the NUL-terminated rest of the line after
    /// `sluice: fatal signal N`.
    @inline(__always)
    static func whileRunning<Value>(_ line: UnsafePointer<CChar>, _ body: () throws -> Value) rethrows -> Value {
        let outer = pthread_getspecific(currentAgentCallKey)
        pthread_setspecific(currentAgentCallKey, line)
        defer { pthread_setspecific(currentAgentCallKey, outer) }
        return try body()
    }

    /// The report of a call of agent `agent` into `image`, as a C string the
    /// caller frees: ` while running agent NAME (plugin file F, image I)\n`.
    static func line(agent: String, file: String, image: String) -> UnsafeMutablePointer<CChar> {
        strdup(" while running agent \(agent) (plugin file \(file), image \(image))\n")!
    }
}

/// The thread-local report of the agent call running on a thread (a C string), or nil.
private let currentAgentCallKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed: errno \(errno)")
    return key
}()

/// The actions the report replaced, by signal number (written once by install()).
nonisolated(unsafe) private var previousActions: UnsafeMutablePointer<sigaction>?

/// Where the report line is assembled (written once by install(); used only
/// by the one thread that reports).
nonisolated(unsafe) private var reportBuffer: UnsafeMutableRawBufferPointer?
private let reportBufferSize = 1024

/// Set by the first thread to crash: it alone reports and hands the signal on;
/// any other thread crashing meanwhile waits in the handler for the end.
private let reporting = Atomic<Bool>(false)

/// The signal handler: async-signal-safe calls only (no allocation, no locks).
private func reportFatalSignal(_ signal: Int32) {
    let saved = errno
    // The crash journal's slot of this thread, if it is in a plugin call, keeps
    // the signal for the next start (a plain store into a shared mapping).
    if let slot = pthread_getspecific(crashJournalSlotKey) {
        CrashJournalSlot(base: slot).recordSignal(signal)
    }
    guard reporting.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
        // Another thread is reporting its crash and will end the process.
        while true { pause() }
    }
    // One write for the whole line, assembled in the buffer set aside at install.
    if let buffer = reportBuffer {
        var length = 0
        func append(_ bytes: UnsafeRawPointer, _ count: Int) {
            let taken = min(count, buffer.count - length)
            guard taken > 0 else { return }
            (buffer.baseAddress! + length).copyMemory(from: bytes, byteCount: taken)
            length += taken
        }
        func append(_ text: StaticString) { append(text.utf8Start, text.utf8CodeUnitCount) }
        append("sluice: fatal signal ")
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { digits in
            var value = Int(signal), end = digits.count
            repeat {
                end -= 1
                digits[end] = UInt8(48 + value % 10)
                value /= 10
            } while value > 0 && end > 0
            append(digits.baseAddress! + end, digits.count - end)
        }
        if let line = pthread_getspecific(currentAgentCallKey) {
            append(line, strlen(line.assumingMemoryBound(to: CChar.self)))
        } else {
            append(" on a thread running no agent call\n")
        }
        // A line cut at the buffer's end still ends the line.
        if length == buffer.count { buffer[length - 1] = 0x0a }
        _ = write(2, buffer.baseAddress, length)
    }
    // Hand the signal on to whoever had it before (the default action, or the
    // Swift runtime's backtracer): it is delivered again when this returns.
    if let previous = previousActions {
        sigaction(signal, previous + Int(signal), nil)
    }
    errno = saved
    raise(signal)
}
