import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Writes to stdout (a terminal, a pipe, a file) from async code without
/// holding a cooperative thread: a write blocks while the other end does not
/// read (a stalled `ssh`, a paused tmux pane, a full pipe), so the writes
/// happen on a serial queue of their own, in order, and the caller suspends
/// until its bytes are out. Nothing is buffered: each write is out when it returns.
final class OutputWriter: Sendable {
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "sluice.top.output-writer")

    /// A writer to `descriptor` (1: stdout).
    init(descriptor: Int32 = STDOUT_FILENO) {
        self.descriptor = descriptor
    }

    /// Writes all of `text`; suspends until it is written (or the terminal is gone).
    func write(_ text: String) async {
        await perform { [descriptor] in Self.writeAll(text, to: descriptor) }
    }

    /// Runs `work` on the writer's queue after every write asked for before
    /// (a mode change that must follow the last frame); suspends until done.
    func perform(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                work()
                continuation.resume()
            }
        }
    }

    /// Writes all of `text` to `descriptor` on the calling thread, retrying
    /// short writes and interruptions; stops at any other error.
    static func writeAll(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
