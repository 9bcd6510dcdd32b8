import Foundation
import SluiceSDK

/// The feed-cache agent (Faust's Redis example, done properly): for each
/// record, run the configured commands — by default
/// `ZADD <user> <timestamp:epoch> <message>` — pipelined per batch over a
/// pooled hiredis connection.
///
/// Per batch: render every record's commands (a record that cannot be
/// rendered is dead-lettered with a reason naming the field), append them all
/// to one connection, then read every reply. An error reply dead-letters its
/// record with the reply text; a connection failure retries the records whose
/// replies did not all arrive, and the pool reconnects after a backoff.
///
/// The batch finishes synchronously (no PENDING): measured on the local
/// redis-server, the round trip is a small part of a batch's time, and
/// batches of other partitions keep the other worker threads busy meanwhile
/// (see docs/plugins/redis.md).
struct RedisAgent: BatchAgent {
    typealias Configuration = RedisConfiguration

    static let name = "redis"
    static let version = "1.0.0"
    static let summary: String? = "Runs Redis commands per record (default: Faust's feed cache, ZADD user timestamp message)"
    static let topics = ["feed_activities"]

    let plan: CommandPlan
    let pool: ConnectionPool
    let host: HostServices
    let commandsSent: Counter
    let errorReplies: Counter
    let roundTrip: Histogram

    static func validate(_ configuration: RedisConfiguration) throws {
        try configuration.validate()
    }

    init(configuration: RedisConfiguration, host: HostServices) throws {
        let url = try RedisURL(parsing: configuration.url)
        var password = configuration.password ?? url.password
        if let variable = configuration.passwordEnvironment {
            guard let value = ProcessInfo.processInfo.environment[variable] else {
                throw ConfigurationError("'password_env': the environment variable \(variable) is not set")
            }
            password = value
        }
        plan = try CommandPlan(configuration: configuration)
        pool = ConnectionPool(url: url, password: password, configuration: configuration, host: host)
        self.host = host
        commandsSent = host.counter("redis_commands_sent")
        errorReplies = host.counter("redis_error_replies")
        roundTrip = host.histogram("redis_batch_roundtrip_seconds")
        host.log(.info, "writing to \(url.redacted) with up to \(configuration.poolSize) connection(s), "
                 + "\(plan.commands.count) command(s) per record")
    }

    func handle(_ batch: inout MessageBatch) throws {
        // Render first: records that cannot be rendered are dead-lettered even
        // while Redis is down, and never reach it.
        var buffer = PipelineBuffer()
        var renderer = RedisCommandRenderer(plan: plan)
        for index in 0..<batch.count {
            let message = batch[index]
            guard message.value != nil || !plan.readsValue else {
                batch.skip(at: index) // a tombstone: nothing to write
                continue
            }
            do {
                try renderer.render(key: message.key, value: message.value, message: index, into: &buffer)
            } catch {
                batch.deadLetter(at: index, reason: error.reason)
            }
        }
        guard !buffer.commands.isEmpty else { return }
        let connection: RedisConnection
        do {
            connection = try pool.checkOut()
        } catch {
            for index in 0..<batch.count where batch.result(at: index) == .ok {
                batch.retry(at: index, reason: error.description)
            }
            return
        }
        let started = ContinuousClock.now
        var answered = 0
        var failure: RedisConnectionFailure?
        do {
            try connection.append(buffer)
            let commands = buffer.commands
            while answered < commands.count {
                let reply = try connection.nextReply()
                let command = commands[answered]
                answered += 1
                if case .error(let text) = reply, batch.result(at: command.message) == .ok {
                    errorReplies.add()
                    let reason = "redis replied to \(command.name): \(text)"
                    if TransientErrorReply.matches(text) {
                        batch.retry(at: command.message, reason: reason)
                    } else {
                        batch.deadLetter(at: command.message, reason: reason)
                    }
                }
            }
        } catch {
            failure = error
        }
        commandsSent.add(Int64(answered))
        guard let failure else {
            let elapsed = started.duration(to: .now).components
            roundTrip.record(Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
            pool.checkIn(connection)
            return
        }
        // A record is finished only when every one of its replies arrived;
        // the rest are sent again (at-least-once; ZADD and EXPIRE are idempotent).
        pool.discard(connection, reason: failure.description)
        for command in buffer.commands[answered...] where batch.result(at: command.message) == .ok {
            batch.retry(at: command.message, reason: "redis connection failed: \(failure.description)")
        }
    }
}

/// The redis agent's descriptor for the host. The exported C symbol lives in
/// `Entry/` (target SluiceRedisEntry), so test and benchmark targets can link
/// this module beside other plugins without two `sluice_plugin_entry_v1` definitions.
public func redisPluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    SluicePlugin.export(RedisAgent.self, major, minor)
}
