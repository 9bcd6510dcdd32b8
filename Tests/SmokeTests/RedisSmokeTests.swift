import Foundation
import Testing
import TestSupport

/// Redis through hiredis against the local redis-server.
@Suite("Redis (hiredis ↔ redis-server)")
struct RedisSmokeTests {
    @Test("PING answers PONG", .timeLimit(.minutes(1)))
    func ping() throws {
        let redis = try RedisConnection(host: "127.0.0.1", port: try TestServices.redisPort())
        #expect(try redis.command("PING") == .status("PONG"))
    }

    /// The feed-cache shape of the redis plugin: ZADD user timestamp message.
    @Test("ZADD twice, ZRANGE WITHSCORES returns both in score order", .timeLimit(.minutes(1)))
    func sortedSetRoundTrip() throws {
        let redis = try RedisConnection(host: "127.0.0.1", port: try TestServices.redisPort())
        let key = "sluice-smoke:feed:\(UUID().uuidString)"
        defer { _ = try? redis.command("DEL", key) }

        // Added newest first: the range must still come back oldest first.
        #expect(try redis.command("ZADD", key, "1700000002", "second activity") == .integer(1))
        #expect(try redis.command("ZADD", key, "1700000001", "first activity") == .integer(1))

        let range = try redis.command("ZRANGE", key, "0", "-1", "WITHSCORES")
        #expect(range == .array([
            .string("first activity"), .string("1700000001"),
            .string("second activity"), .string("1700000002"),
        ]))
    }
}
