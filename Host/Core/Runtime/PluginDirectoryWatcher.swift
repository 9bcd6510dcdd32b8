import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches the plugins directory with inotify and reports, debounced, which
/// agents' files changed: `NAME.so` or `NAME.yaml` written, moved in, moved
/// out, deleted, or its owner or mode changed. Temporary names (`*.tmp`, dotfiles) are ignored, which is
/// what makes the drop-in contract safe: write `NAME.so.tmp`, then rename it
/// to `NAME.so` (a new inode; a mapped file is never overwritten).
final class PluginDirectoryWatcher: @unchecked Sendable {
    // @unchecked: `stopped` is guarded by `lock`; the descriptor is only read by the watcher thread.
    private let directory: String
    private let debounce: Duration
    private let onChange: @Sendable (Set<String>) -> Void
    private let lock = ConditionLock()
    private var stopped = false
    private var finished = false
    private let descriptor: Int32

    /// Starts watching. `onChange` gets the base names (without extension) of
    /// the files that changed, on the watcher thread.
    init(directory: String, debounce: Duration = .milliseconds(200), onChange: @escaping @Sendable (Set<String>) -> Void) throws {
        self.directory = directory
        self.debounce = debounce
        self.onChange = onChange
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        // IN_ATTRIB: a chmod or chown is a change too (a file that became unsafe is refused).
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB)
        guard inotify_add_watch(descriptor, directory, mask) >= 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        DedicatedThread.start("sluice-plugin-watcher") { [self] in watch() }
    }

    /// Stops the watcher thread and waits for it.
    func stop() {
        lock.withLock { stopped = true }
        lock.withLock { _ = lock.wait(timeout: .seconds(5)) { finished } }
    }

    private func watch() {
        var pending = Set<String>()
        var quietSince = ConditionLock.monotonicNow()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        defer {
            buffer.deallocate()
            close(descriptor)
            lock.withLock { finished = true }
            lock.broadcast()
        }
        while !lock.withLock({ stopped }) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            if ready > 0 {
                let count = read(descriptor, buffer, 64 * 1024)
                var offset = 0
                while count > 0, offset < count {
                    let event = (buffer + offset).assumingMemoryBound(to: inotify_event.self).pointee
                    let nameLength = Int(event.len)
                    if nameLength > 0 {
                        let name = String(cString: (buffer + offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self))
                        if let agent = Self.agentName(of: name) { pending.insert(agent) }
                    }
                    offset += MemoryLayout<inotify_event>.size + nameLength
                }
                quietSince = ConditionLock.monotonicNow()
            } else if !pending.isEmpty, ConditionLock.monotonicNow() - quietSince >= debounce {
                let changed = pending
                pending.removeAll()
                onChange(changed)
            }
        }
    }

    /// `NAME` for `NAME.so` and `NAME.yaml`; nil for anything else.
    static func agentName(of file: String) -> String? {
        guard !file.hasPrefix(".") else { return nil }
        for suffix in [".so", ".yaml"] where file.hasSuffix(suffix) {
            let base = String(file.dropLast(suffix.count))
            return base.isEmpty ? nil : base
        }
        return nil
    }
}
