import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// SIGTERM and SIGINT for `sluice run`, handled from its first line.
///
/// A service group handles signals only once it runs, and the host builds
/// its group after loading the configuration, the runtime and the admin API.
/// Until then a SIGTERM kept its default effect: the process ended by the
/// signal (status 143), not by a graceful stop. Installed first, this takes
/// both signals over: a stop asked for during start-up is remembered and
/// handed to the group as soon as it exists (the group then starts its
/// services and stops them again, gracefully), and a later one goes to the
/// group at once. A signal that arrives before `install()` (while the binary
/// itself loads) still has its default effect.
final class ShutdownSignals: @unchecked Sendable {
    // @unchecked: `received`, `group` and `logger` are guarded by `lock`.
    private let lock = NSLock()
    /// The first signal received before a group was attached.
    private var received: Int32?
    private var group: ServiceGroup?
    private var logger: Logger?
    private var sources: [any DispatchSourceSignal] = []

    /// The signals that stop the host gracefully.
    static let handled: [Int32] = [SIGTERM, SIGINT]

    private init() {}

    /// Takes SIGTERM and SIGINT over from their default effect. Keep the
    /// result for as long as the process runs.
    static func install() -> ShutdownSignals {
        let signals = ShutdownSignals()
        let queue = DispatchQueue(label: "sluice.shutdown-signals")
        for number in handled {
            #if canImport(Darwin)
            // Darwin delivers signal sources through kqueue, alongside the
            // signal's own disposition, which must not end the process.
            signal(number, SIG_IGN)
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [signals] in signals.receive(number) }
            source.resume()
            signals.sources.append(source)
        }
        return signals
    }

    /// From now on every stop request goes to `group`. Returns the signal
    /// that asked for a stop before (during start-up), if any: the caller
    /// then triggers the group's graceful shutdown itself.
    func attach(_ group: ServiceGroup, logger: Logger) -> Int32? {
        lock.withLock {
            self.group = group
            self.logger = logger
            return received
        }
    }

    private func receive(_ number: Int32) {
        let group: ServiceGroup? = lock.withLock {
            if self.group == nil, received == nil { received = number }
            return self.group
        }
        guard let group else { return }
        lock.withLock { logger }?.notice("stopping gracefully", metadata: ["signal": .string(Self.name(of: number))])
        Task { await group.triggerGracefulShutdown() }
    }

    /// `SIGTERM`, `SIGINT`, or the number.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(number)"
        }
    }
}
