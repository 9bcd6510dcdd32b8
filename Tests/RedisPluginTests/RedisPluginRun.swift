import Foundation
import SluiceHost
import Testing
import TestSupport

/// Running the built redis plugin (`.build/debug/libSluiceRedis.so`) inside a
/// host on memory://, and checking what it wrote.
enum RedisPluginRun {
    /// A unique key prefix, so runs never see each other's keys.
    static func uniquePrefix(_ test: String) -> String { "sluice-test:\(test):\(UUID().uuidString.prefix(8)):" }

    /// Retry settings for tests where Redis goes away: many quick attempts,
    /// so an outage of seconds never exhausts them.
    static let patientRetry = """
        retry:
          max_attempts: 100000
          initial_backoff: 20ms
          max_backoff: 200ms
        """

    /// Installs the plugin with `sidecar`, starts a host, runs `body` with it
    /// and stops the host (also when `body` throws).
    @discardableResult
    static func withPlugin<Value>(_ harness: HostHarness, sidecar: String,
                                  _ body: (SluiceRuntime) async throws -> Value) async throws -> Value {
        try harness.installBuiltPlugin(product: "SluiceRedis", as: "redis", sidecar: sidecar)
        return try await harness.withRuntime { runtime in
            #expect(runtime.refusals.isEmpty, "refused: \(runtime.refusals)")
            return try await body(runtime)
        }
    }

    /// The redis agent's status.
    static func status(_ runtime: SluiceRuntime) throws -> AgentStatus {
        try #require(runtime.agents.first { $0.name == "redis" }, "the redis agent is not running: \(runtime.refusals)")
    }

    /// Waits until `count` records are finished (processed or dead-lettered).
    static func waitFinished(_ runtime: SluiceRuntime, _ count: Int, timeout: Duration = .seconds(180)) async throws {
        try await eventually(timeout: timeout, "\(count) records finished") {
            let status = try status(runtime)
            if case .failed(let reason) = status.state { throw HarnessError("the agent failed: \(reason)") }
            return status.processed + status.deadLettered >= count
        }
    }

    /// How a run must end after an outage: nothing dead-lettered, and every
    /// expected member in Redis (on `port`, no key prefix).
    static func expectAllWritten(_ runtime: SluiceRuntime, _ harness: HostHarness, port: Int,
                                 _ expected: [String: [String: Double]]) throws {
        let status = try status(runtime)
        #expect(status.deadLettered == 0, "\(status.lastError ?? "")")
        #expect(harness.count("redis.dlq") == 0, "dead letters: \(deadLetterReasons(harness))")
        try expectSets(RedisTestClient(port: port), prefix: "", expected)
    }

    /// The distinct reasons of the records in `redis.dlq`, for failure messages.
    static func deadLetterReasons(_ harness: HostHarness) -> Set<String> {
        Set(harness.records("redis.dlq").map { $0.record.header("sluice.error") ?? "no reason header" })
    }

    /// Checks that every user's sorted set (under `prefix`) holds exactly the
    /// expected members and scores.
    static func expectSets(_ client: RedisTestClient, prefix: String, _ expected: [String: [String: Double]]) throws {
        for (user, members) in expected {
            let actual = try client.sortedSet(prefix + user)
            #expect(actual.count == members.count, "\(user): \(actual.count) members, expected \(members.count)")
            for (member, score) in actual {
                #expect(members[member] == score, "\(user): member \(member) has score \(score), expected \(String(describing: members[member]))")
            }
        }
    }
}
