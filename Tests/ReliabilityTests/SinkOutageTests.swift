import Foundation
import Testing
import TestSupport

/// Reliability: the sink frozen mid-run. The redis plugin writes every
/// record to a private redis-server, which is SIGSTOPped: nothing is lost, the
/// agent waits with backoff instead of spinning (the host's CPU time during the
/// freeze is measured), and it resumes by itself when Redis is back.
@Suite("Reliability: sink outage", .serialized)
struct SinkOutageTests {
    /// Redis keys the plugin writes: the set of users seen, and a counter of writes.
    static let seenKey = "sluice:seen", writesKey = "sluice:writes"

    @Test("Redis frozen mid-run: lost 0, the agent waits without spinning, and resumes by itself")
    func redisFrozen() async throws {
        let profile = ReliabilityProfile.current
        let redis = try await RedisTestServer()
        defer { redis.stop() }
        // Each record adds its user to a set (distinct records) and bumps a
        // counter (every write, so repeats show as duplicates).
        let sidecar = """
            retry:
              max_attempts: 100000
              initial_backoff: 50ms
              max_backoff: 1s
            config:
              url: redis://127.0.0.1:\(redis.port)/0
              commands:
                - [SADD, "\(Self.seenKey)", "{user}"]
                - [INCR, "\(Self.writesKey)"]
              pool_size: 2
              timeout_ms: 500
              connect_timeout_ms: 500
              reconnect_backoff_ms: 50
              reconnect_backoff_max_ms: 500
            """
        let run = try await ChaosRun(world: KafkaTestWorld(), agent: .redis(sidecar: sidecar), batchSize: 200, maxInFlight: 2000)
        defer { run.remove() }
        let total = profile.outageRecords
        let firstHalf = total / 2
        _ = try await run.produceInput(count: firstHalf) { "{\"user\":\"u\($0)\"}" }

        let host = try run.startHost()
        defer { host.signal(SIGKILL) }
        let port = try await host.adminPort()
        try await eventually(timeout: .seconds(180), "a first share in Redis") {
            guard host.isRunning else { throw HarnessError("sluice exited:\n\(host.logTail())") }
            return try await (redis.integer(["SCARD", Self.seenKey]) ?? 0) >= firstHalf / 4
        }

        redis.pause()
        let cpuAtFreeze: Duration, cpuDuringFreeze: Duration, processedDuringFreeze: Int, retriedDuringFreeze: Int
        do {
            defer { redis.resume() }
            // The second half arrives while the sink is frozen.
            let seeding = try run.world.transport()
            try await run.world.produce(run.input, count: total - firstHalf, through: seeding) { "{\"user\":\"u\($0 + firstHalf)\"}" }
            let processedAtFreeze = try await host.agentCounter("processed", agent: "redis", adminPort: port)
            let retriedAtFreeze = try await host.agentCounter("retried", agent: "redis", adminPort: port)
            cpuAtFreeze = try host.cpuTime()
            try await Task.sleep(for: profile.sinkOutage)
            cpuDuringFreeze = try host.cpuTime() - cpuAtFreeze
            processedDuringFreeze = try await host.agentCounter("processed", agent: "redis", adminPort: port) - processedAtFreeze
            retriedDuringFreeze = try await host.agentCounter("retried", agent: "redis", adminPort: port) - retriedAtFreeze
            #expect(host.isRunning, "the host stays up while Redis is frozen")
        }
        let thawed = ContinuousClock.now
        try await eventually(timeout: .seconds(600), "every record in Redis after the thaw") {
            guard host.isRunning else { throw HarnessError("sluice exited:\n\(host.logTail())") }
            return try await (redis.integer(["SCARD", Self.seenKey]) ?? 0) >= total
        }
        let recovered = ContinuousClock.now - thawed
        let ends = try await run.world.endOffsets(run.input, expected: total)
        try await eventually(timeout: .seconds(60), "every offset committed") { try await run.committed() == ends }
        #expect(try await host.terminate() == 0)

        let distinct = try #require(try await redis.integer(["SCARD", Self.seenKey]))
        let writes = try #require(try await redis.integer(["GET", Self.writesKey]))
        print("""
            sink outage (\(profile)): \(total) records, Redis frozen \(profile.sinkOutage); during the freeze the host used \
            \(cpuDuringFreeze) CPU, finished \(processedDuringFreeze) records, redelivered \(retriedDuringFreeze) with backoff; \
            all in Redis \(recovered) after the thaw; lost \(total - distinct), duplicate writes \(writes - distinct)
            """)
        #expect(distinct == total, "lost \(total - distinct)")
        #expect(writes >= distinct)
        // Waiting, not spinning: a generous bound (half a core on average).
        #expect(cpuDuringFreeze < profile.sinkOutage / 2, "CPU during the freeze: \(cpuDuringFreeze)")
    }
}
