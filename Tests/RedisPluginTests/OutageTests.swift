import Foundation
import SluiceHost
import Testing
import TestSupport

/// Redis going away mid-run, on a private redis-server: the affected batches
/// are retried, the plugin reconnects by itself, and nothing is lost.
@Suite("redis plugin: outages")
struct OutageTests {
    /// The plugin's settings for a server that will go away: short timeouts and backoff.
    static func sidecar(port: Int) -> String {
        """
        batch_size: 200
        \(RedisPluginRun.patientRetry)
        config:
          url: redis://127.0.0.1:\(port)/0
          pool_size: 2
          timeout_ms: 500
          connect_timeout_ms: 500
          reconnect_backoff_ms: 50
          reconnect_backoff_max_ms: 500
        """
    }

    @Test("Redis frozen with SIGSTOP for 5 s mid-run: nothing lost, the plugin reconnects by itself")
    func frozenServer() async throws {
        let server = try await RedisTestServer()
        defer { server.stop() }
        let harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        let activities = FeedActivities()
        activities.produce(0..<5_000, harness: harness)
        try await RedisPluginRun.withPlugin(harness, sidecar: Self.sidecar(port: server.port)) { runtime in
            try await RedisPluginRun.waitFinished(runtime, 5_000)

            server.pause()
            activities.produce(5_000..<15_000, harness: harness)
            try await Task.sleep(for: .seconds(5))
            let duringOutage = try RedisPluginRun.status(runtime)
            server.resume()
            activities.produce(15_000..<20_000, harness: harness)

            try await RedisPluginRun.waitFinished(runtime, 20_000)
            #expect(duringOutage.retried > 0, "the outage was felt: batches were retried")
            #expect(duringOutage.processed < 15_000, "records produced during the outage waited for Redis")
            try RedisPluginRun.expectAllWritten(runtime, harness, port: server.port, activities.expected(0..<20_000))
        }
    }

    @Test("Redis killed and restarted (appendonly yes) mid-run: nothing lost, the plugin reconnects by itself")
    func killedAndRestartedServer() async throws {
        let server = try await RedisTestServer(appendOnly: true)
        defer { server.stop() }
        let harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        let activities = FeedActivities()
        activities.produce(0..<5_000, harness: harness)
        try await RedisPluginRun.withPlugin(harness, sidecar: Self.sidecar(port: server.port)) { runtime in
            try await RedisPluginRun.waitFinished(runtime, 5_000)

            await server.kill()
            activities.produce(5_000..<15_000, harness: harness)
            try await eventually("batches retried while Redis is down") { try RedisPluginRun.status(runtime).retried > 0 }
            try await Task.sleep(for: .seconds(2))
            let duringOutage = try RedisPluginRun.status(runtime)
            try await server.start()
            activities.produce(15_000..<20_000, harness: harness)

            try await RedisPluginRun.waitFinished(runtime, 20_000)
            #expect(duringOutage.processed < 15_000, "records produced during the outage waited for Redis")
            try RedisPluginRun.expectAllWritten(runtime, harness, port: server.port, activities.expected(0..<20_000))
        }
    }
}
