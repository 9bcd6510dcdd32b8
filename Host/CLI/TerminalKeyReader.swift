import SluiceHost
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Reads key presses from a terminal on a thread of its own (a read waits for
/// the user; it must not hold one of Swift's cooperative threads) and hands
/// each byte to `onKey`. It polls in short slices so ``stop()`` takes effect
/// within one, before the terminal goes back to the shell: a key typed after
/// `q` is the shell's, not ours.
final class TerminalKeyReader: Sendable {
    private let descriptor: Int32
    private let stopped = Atomic(false)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Starts reading `descriptor` (0: stdin); `onKey` runs on the reader's thread.
    static func start(descriptor: Int32 = STDIN_FILENO,
                      onKey: @escaping @Sendable (UInt8) -> Void) -> TerminalKeyReader {
        let reader = TerminalKeyReader(descriptor: descriptor)
        DedicatedThread.start("sluice-top-keys") { reader.readUntilStopped(onKey) }
        return reader
    }

    /// Stops reading (within 100 ms).
    func stop() {
        stopped.store(true, ordering: .releasing)
    }

    private func readUntilStopped(_ onKey: @Sendable (UInt8) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while !stopped.load(ordering: .acquiring) {
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, 100)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else {
                if ready < 0 { return }
                continue
            }
            // End of input (the terminal is gone) or an error: no more keys.
            guard request.revents & Int16(POLLIN) != 0 else { return }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0, !stopped.load(ordering: .acquiring) else { return }
            for byte in buffer.prefix(count) { onKey(byte) }
        }
    }
}
