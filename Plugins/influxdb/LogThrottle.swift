import Foundation
import SluiceSDK

/// Keeps an outage from flooding the host log: the first failure is logged at
/// once, later ones at most every `interval`, with how many were left out.
final class LogThrottle: @unchecked Sendable {
    // @unchecked: `last` and `suppressed` are only touched with `lock` held.
    private let host: HostServices
    private let interval: TimeInterval
    private let lock = NSLock()
    private var last: Date?
    private var suppressed = 0

    init(host: HostServices, interval: TimeInterval = 10) {
        self.host = host
        self.interval = interval
    }

    /// Logs `message` now, or counts it when a line went out less than `interval` ago.
    func log(_ level: LogLevel, _ message: String) {
        let now = Date()
        lock.lock()
        if let last, now.timeIntervalSince(last) < interval {
            suppressed += 1
            lock.unlock()
            return
        }
        let skipped = suppressed
        suppressed = 0
        last = now
        lock.unlock()
        host.log(level, skipped > 0 ? "\(message) (and \(skipped) similar since the last report)" : message)
    }
}
