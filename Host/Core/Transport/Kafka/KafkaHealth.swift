import Logging

/// Whether the broker answers, shared by a transport's producer and consumers.
///
/// Marked down by librdkafka's error callback (all brokers down, transport
/// failures) and by a failed metadata probe; marked up by a successful probe.
/// Transitions are logged once, not per error, so a broker outage does not
/// flood the log.
final class KafkaHealth: @unchecked Sendable {
    // @unchecked: state is guarded by `lock`.
    private let lock = ConditionLock()
    private var reachable = true
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Whether the broker answered the last probe and no client reported it gone since.
    var isReachable: Bool { lock.withLock { reachable } }

    /// A client saw the broker fail.
    func markDown(_ reason: String) {
        let changed = lock.withLock {
            defer { reachable = false }
            return reachable
        }
        if changed { logger.warning("kafka broker unreachable; clients keep retrying", metadata: ["reason": .string(reason)]) }
    }

    /// The broker answered.
    func markUp() {
        let changed = lock.withLock {
            defer { reachable = true }
            return !reachable
        }
        if changed { logger.notice("kafka broker reachable again") }
    }
}
