import Foundation
import SluiceHost
import Testing
import TestSupport

/// Faust's feed-cache example through the plugin, on the shared redis-server
/// of the test world and on private ones.
@Suite("redis plugin: the feed cache")
struct FeedCacheTests {
    @Test("50k activities with the default configuration: every user's sorted set is exact, Faust's record included")
    func fiftyThousandActivities() async throws {
        let port = try TestServices.redisPort()
        let database = 11
        let prefix = RedisPluginRun.uniquePrefix("feed")
        let harness = try HostHarness(partitions: 8)
        defer { harness.remove() }
        let activities = FeedActivities()
        harness.broker.append(OutgoingRecord(topic: "feed_activities", key: Array("faust".utf8),
                                             value: Array(FeedActivities.faustRecord.utf8)))
        activities.produce(0..<50_000, harness: harness)
        // Only the connection and the prefix: the commands are the default (Faust's ZADD).
        try await RedisPluginRun.withPlugin(harness, sidecar: """
            config:
              url: redis://127.0.0.1:\(port)/\(database)
              key_prefix: "\(prefix)"
            """) { runtime in
            try await RedisPluginRun.waitFinished(runtime, 50_001)
            let status = try RedisPluginRun.status(runtime)
            #expect(status.deadLettered == 0, "\(status.lastError ?? "")")
            #expect(harness.count("redis.dlq") == 0)

            let client = try RedisTestClient(port: port, database: database)
            try RedisPluginRun.expectSets(client, prefix: prefix, activities.expected(0..<50_000))
            let faust = try client.sortedSet(prefix + "faust")
            #expect(faust.count == 1)
            #expect(faust.first?.member == FeedActivities.faustMember)
            #expect(faust.first?.score == FeedActivities.faustScore)
            for user in activities.users + ["faust"] { try client.command("DEL", prefix + user) }
        }
    }

    @Test("members and keys holding RESP syntax, CR LF, NUL, escapes and multi-byte text reach Redis byte for byte")
    func hostileTextIsBinarySafe() async throws {
        let port = try TestServices.redisPort()
        let database = 12
        let prefix = RedisPluginRun.uniquePrefix("hostile")
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        let texts = ["", "*3\r\n$3\r\nDEL\r\n", "line\nbreak", "nul\u{0}byte", "quote\" back\\slash", "$-1\r\n",
                     "é中😀", String(repeating: "x", count: 70_000), " spaced ", "{user}"]
        for (index, text) in texts.enumerated() {
            let record = try JSONSerialization.data(withJSONObject: [
                "user": "u\(index):" + text, "message": text, "timestamp": "2019-05-21T13:55:12Z",
            ])
            harness.broker.append(OutgoingRecord(topic: "feed_activities", key: nil, value: Array(record)))
        }
        try await RedisPluginRun.withPlugin(harness, sidecar: """
            config:
              url: redis://127.0.0.1:\(port)/\(database)
              key_prefix: "\(prefix)"
            """) { runtime in
            try await RedisPluginRun.waitFinished(runtime, texts.count)
            #expect(try RedisPluginRun.status(runtime).deadLettered == 0)
            let client = try RedisTestClient(port: port, database: database)
            for (index, text) in texts.enumerated() {
                let key = prefix + "u\(index):" + text
                let set = try client.sortedSet(key)
                #expect(set.map(\.member) == [text], "key \(index)")
                #expect(set.first?.score == 1_558_446_912)
                try client.command("DEL", key)
            }
        }
    }

    @Test("50k activities open no more connections than pool_size, though more workers run batches at once")
    func connectionsBoundedByPool() async throws {
        let server = try await RedisTestServer()
        defer { server.stop() }
        var harness = try HostHarness(partitions: 8)
        defer { harness.remove() }
        harness.configuration.workers = 4
        let activities = FeedActivities()
        activities.produce(0..<50_000, harness: harness)
        let client = try RedisTestClient(port: server.port)
        let before = try #require(try client.info("stats", "total_connections_received"))
        try await RedisPluginRun.withPlugin(harness, sidecar: """
            batch_size: 200
            config:
              url: redis://127.0.0.1:\(server.port)/0
              pool_size: 2
            """) { runtime in
            try await RedisPluginRun.waitFinished(runtime, 50_000)
            let after = try #require(try client.info("stats", "total_connections_received"))
            let opened = after - before
            #expect(opened >= 1 && opened <= 2, "the plugin opened \(opened) connections for 50k records")
            let clients = try #require(try client.info("clients", "connected_clients"))
            #expect(clients <= 3, "\(clients) clients connected (the test's own and at most 2 of the plugin)")
            try RedisPluginRun.expectSets(client, prefix: "", activities.expected(0..<50_000))
        }
    }
}
