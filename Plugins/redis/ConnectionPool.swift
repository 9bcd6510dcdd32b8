import Foundation
import SluiceSDK

/// Redis is unreachable and the pool is waiting before it tries again: the
/// batch is retried (by the host, with its backoff) instead of spinning here.
struct RedisUnavailable: Error, CustomStringConvertible {
    let description: String
}

/// The instance's connections, shared by its partitions: a batch checks one
/// out for its whole round trip, so there are never more connections than
/// batches in flight at once (at most the host's worker threads) nor more
/// than `pool_size`. Connections open lazily and are reused for every batch.
///
/// After a failure the pool drops its idle connections (they most likely
/// share the fate of the one that failed) and refuses to connect again until
/// an exponential backoff has passed.
final class ConnectionPool: @unchecked Sendable {
    // @unchecked: every mutable member is guarded by `condition`; a connection
    // is used only by the thread that checked it out.
    private let url: RedisURL
    private let password: String?
    private let configuration: RedisConfiguration
    private let host: HostServices
    private let condition = NSCondition()
    private var idle: [RedisConnection] = []
    private var open = 0
    private var consecutiveFailures = 0
    private var retryAt: ContinuousClock.Instant?
    private var lastFailure = ""
    private let opened: Counter
    private let failures: Counter
    private let openGauge: Gauge

    init(url: RedisURL, password: String?, configuration: RedisConfiguration, host: HostServices) {
        self.url = url
        self.password = password
        self.configuration = configuration
        self.host = host
        opened = host.counter("redis_connections_opened")
        failures = host.counter("redis_connection_failures")
        openGauge = host.gauge("redis_connections_open")
    }

    /// A connection for one batch: an idle one, a new one while fewer than
    /// `pool_size` are open, or else the next one returned (waits).
    func checkOut() throws(RedisUnavailable) -> RedisConnection {
        condition.lock()
        while true {
            if let retryAt, ContinuousClock.now < retryAt {
                let wait = ContinuousClock.now.duration(to: retryAt)
                let reason = "redis at \(url.redacted) is unavailable (\(lastFailure)); reconnecting in \(Self.milliseconds(wait)) ms"
                condition.unlock()
                throw RedisUnavailable(description: reason)
            }
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            if open < configuration.poolSize { break }
            condition.wait()
        }
        open += 1 // reserve the slot, connect outside the lock
        condition.unlock()
        do {
            let connection = try RedisConnection(
                url: url, password: password, connectTimeoutMilliseconds: configuration.connectTimeoutMilliseconds,
                timeoutMilliseconds: configuration.timeoutMilliseconds)
            opened.add()
            condition.lock()
            if consecutiveFailures > 0 {
                host.log(.info, "reconnected to \(url.redacted) after \(consecutiveFailures) failed attempt(s)")
            }
            consecutiveFailures = 0
            openGauge.set(Double(open))
            condition.unlock()
            return connection
        } catch {
            condition.lock()
            open -= 1
            condition.unlock()
            failed(error.description)
            throw RedisUnavailable(description: "cannot connect to redis at \(url.redacted): \(error.description)")
        }
    }

    /// Returns a healthy connection after its batch.
    func checkIn(_ connection: RedisConnection) {
        condition.lock()
        idle.append(connection)
        condition.signal()
        condition.unlock()
    }

    /// Drops a connection that failed mid-batch, with the reason.
    func discard(_ connection: RedisConnection, reason: String) {
        condition.lock()
        open -= 1
        condition.unlock()
        failed(reason)
    }

    /// Records a failure: drop the idle connections and start (or lengthen) the backoff.
    private func failed(_ reason: String) {
        failures.add()
        condition.lock()
        let dropped = idle
        idle.removeAll()
        open -= dropped.count
        consecutiveFailures += 1
        let exponent = min(consecutiveFailures - 1, 20)
        let wait = min(configuration.reconnectBackoffMilliseconds << exponent, configuration.reconnectBackoffMaxMilliseconds)
        retryAt = ContinuousClock.now + .milliseconds(wait)
        lastFailure = reason
        let first = consecutiveFailures == 1
        openGauge.set(Double(open))
        condition.broadcast() // waiters may now connect (after the backoff) instead of waiting
        condition.unlock()
        // One warning per outage, not one per batch.
        if first { host.log(.warning, "redis at \(url.redacted) failed: \(reason); retrying with backoff") }
        _ = dropped // freed here, outside the lock
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
