import Foundation
import SluiceHost
import Testing
import TestSupport

/// One redis plugin file, two agents: each sidecar names the plugin and keeps
/// its own keys (its own prefix and topic), on a real redis-server.
@Suite("redis plugin: two agents of one plugin")
struct RedisTwoAgentsTests {
    /// An activity of `user` as the feed cache reads it.
    private func activity(_ topic: String, user: String, message: String) -> OutgoingRecord {
        OutgoingRecord(topic: topic, key: Array(user.utf8), value: Array(
            #"{"user":"\#(user)","message":"\#(message)","timestamp":"2019-05-21T13:55:12Z"}"#.utf8))
    }

    @Test("a feed cache and a second cache side by side: two key prefixes, each holding its own topic's records")
    func twoKeyPrefixes() async throws {
        let port = try TestServices.redisPort()
        let database = 13
        let feedPrefix = RedisPluginRun.uniquePrefix("feed")
        let auditPrefix = RedisPluginRun.uniquePrefix("audit")
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try harness.installBuiltPlugin(product: "SluiceRedis", as: "redis")
        for (agent, topic, prefix) in [("feed-cache", "feed_activities", feedPrefix), ("audit-cache", "audit_activities", auditPrefix)] {
            try harness.writeSidecar(agent, """
                plugin: redis
                topics: [\(topic)]
                config:
                  url: redis://127.0.0.1:\(port)/\(database)
                  key_prefix: "\(prefix)"
                """)
        }
        for index in 0..<30 { harness.broker.append(activity("feed_activities", user: "u\(index % 3)", message: "f\(index)")) }
        for index in 0..<12 { harness.broker.append(activity("audit_activities", user: "u\(index % 2)", message: "a\(index)")) }
        try await harness.withRuntime { runtime in
            #expect(runtime.refusals.isEmpty, "\(runtime.refusals)")
            #expect(runtime.agents.map(\.name) == ["audit-cache", "feed-cache"])
            try await eventually(timeout: .seconds(60), "both agents finish their records") {
                let done = Dictionary(uniqueKeysWithValues: runtime.agents.map { ($0.name, $0.processed + $0.deadLettered) })
                return done["feed-cache"] == 30 && done["audit-cache"] == 12
            }
            #expect(runtime.agents.allSatisfy { $0.deadLettered == 0 }, "\(runtime.agents.map(\.lastError))")
        }
        let client = try RedisTestClient(port: port, database: database)
        for user in 0..<3 {
            let members = try client.sortedSet(feedPrefix + "u\(user)").map(\.member)
            #expect(Set(members) == Set(stride(from: user, to: 30, by: 3).map { "f\($0)" }), "feed u\(user)")
            try client.command("DEL", feedPrefix + "u\(user)")
        }
        for user in 0..<2 {
            let members = try client.sortedSet(auditPrefix + "u\(user)").map(\.member)
            #expect(Set(members) == Set(stride(from: user, to: 12, by: 2).map { "a\($0)" }), "audit u\(user)")
            try client.command("DEL", auditPrefix + "u\(user)")
        }
    }
}
