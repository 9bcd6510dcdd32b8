import Foundation
import SluiceHost
import Testing
import TestSupport

/// Records that cannot be written go to `redis.dlq` with a reason naming the
/// field (or Redis's reply); the rest are written.
@Suite("redis plugin: dead letters")
struct DeadLetterTests {
    @Test("malformed JSON, a missing user, an unparsable timestamp and a Redis error reply are dead-lettered; the rest written")
    func badRecordsAreDeadLettered() async throws {
        let port = try TestServices.redisPort()
        let database = 12
        let prefix = RedisPluginRun.uniquePrefix("dlq")
        let client = try RedisTestClient(port: port, database: database)
        // A string where the plugin will ZADD: Redis answers WRONGTYPE.
        try client.command("SET", prefix + "wrongtype", "a string")
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        let activities = FeedActivities(users: 5)
        activities.produce(0..<100, harness: harness)
        let bad: [(key: String, value: String, reason: String)] = [
            ("malformed", #"{"user": "u", "message": "#, "the value is not valid JSON: malformed JSON at byte"),
            ("missing-user", #"{"message": "hi", "timestamp": "2019-05-21T13:55:12.123Z"}"#, "missing field 'user'"),
            ("bad-time", #"{"user": "u", "message": "hi", "timestamp": "yesterday"}"#,
             #"field 'timestamp': "yesterday" is not an ISO-8601 timestamp"#),
            ("wrongtype", #"{"user": "wrongtype", "message": "hi", "timestamp": "2019-05-21T13:55:12Z"}"#,
             "redis replied to ZADD: WRONGTYPE"),
        ]
        for record in bad {
            harness.broker.append(OutgoingRecord(topic: "feed_activities", key: Array(record.key.utf8), value: Array(record.value.utf8)))
        }
        activities.produce(100..<200, harness: harness)
        try await RedisPluginRun.withPlugin(harness, sidecar: """
            config:
              url: redis://127.0.0.1:\(port)/\(database)
              key_prefix: "\(prefix)"
            """) { runtime in
            try await RedisPluginRun.waitFinished(runtime, 204)
            try await eventually("4 dead letters") { harness.count("redis.dlq") == 4 }
            let letters = harness.records("redis.dlq").map(\.record)
            for record in bad {
                let letter = try #require(letters.first { $0.keyText == record.key }, "no dead letter for \(record.key)")
                let reason = letter.header("sluice.error") ?? ""
                #expect(reason.contains(record.reason), "\(record.key): reason \(reason)")
                #expect(letter.valueText == record.value, "the dead letter keeps the original value")
            }
            #expect(try RedisPluginRun.status(runtime).processed == 200)
            try RedisPluginRun.expectSets(client, prefix: prefix, activities.expected(0..<200))
            for user in activities.users + ["wrongtype"] { try client.command("DEL", prefix + user) }
        }
    }
}
