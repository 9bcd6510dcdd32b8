import Foundation
import SluiceHost
import Testing
import TestSupport

/// Configured commands (templates, conversions, key prefix, EXPIRE), AUTH and
/// SELECT, and the password kept out of reasons.
@Suite("redis plugin: configuration")
struct RedisConfigurationTests {
    static let password = "s3cret-Pa55word"

    @Test("custom commands over {key}, fields, :number and :epoch_ms, with key_prefix, EXPIRE, AUTH and SELECT")
    func customCommands() async throws {
        let server = try await RedisTestServer(password: Self.password)
        defer { server.stop() }
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        let profiles = [
            ("u1", #"{"name": "Ann", "age": 41, "seen": "2024-02-29T23:59:59.5-01:00", "tags": ["a", "b"]}"#),
            ("u2", #"{"name": "Bob \"B\"", "age": "7.5", "seen": "1970-01-01T00:00:00Z", "tags": []}"#),
            ("u3", #"{"name": "Cy", "age": true, "seen": "2024-01-01T00:00:00Z", "tags": []}"#),
        ]
        for (key, value) in profiles {
            harness.broker.append(OutgoingRecord(topic: "profiles", key: Array(key.utf8), value: Array(value.utf8)))
        }
        try await RedisPluginRun.withPlugin(harness, sidecar: """
            topics: [profiles]
            config:
              url: redis://:\(Self.password)@127.0.0.1:\(server.port)/3
              key_prefix: "p:"
              expire_seconds: 600
              commands:
                - [HSET, "profile:{key}", name, "{name}", age, "{age:number}", seen_ms, "{seen:epoch_ms}", tags, "{tags}", raw, "{value}"]
                - [SADD, "names", "{{{name}}}"]
            """) { runtime in
            try await RedisPluginRun.waitFinished(runtime, 3)
            let client = try RedisTestClient(port: server.port, database: 3, password: Self.password)
            #expect(try client.command("HGET", "p:profile:u1", "name") == .text("Ann"))
            #expect(try client.command("HGET", "p:profile:u1", "age") == .text("41"))
            #expect(try client.command("HGET", "p:profile:u1", "seen_ms") == .text("1709254799500"))
            #expect(try client.command("HGET", "p:profile:u1", "tags") == .text(#"["a", "b"]"#))
            #expect(try client.command("HGET", "p:profile:u1", "raw") == .text(profiles[0].1))
            #expect(try client.command("HGET", "p:profile:u2", "name") == .text(#"Bob "B""#))
            #expect(try client.command("HGET", "p:profile:u2", "age") == .text("7.5"))
            #expect(try client.command("HGET", "p:profile:u2", "seen_ms") == .text("0"))
            #expect(try client.command("SISMEMBER", "p:names", "{Ann}") == .integer(1))
            let ttl = try #require(try client.command("TTL", "p:profile:u1").integer)
            #expect(ttl > 0 && ttl <= 600)
            let namesTTL = try #require(try client.command("TTL", "p:names").integer)
            #expect(namesTTL > 0 && namesTTL <= 600)
            // A boolean is not a number: u3 is dead-lettered, and nothing of it written.
            let letter = try #require(harness.records("redis.dlq").first?.record)
            #expect(letter.keyText == "u3")
            #expect(letter.header("sluice.error") == "field 'age': true is not a number")
            #expect(try client.command("EXISTS", "p:profile:u3") == .integer(0))
            #expect(try client.command("SCARD", "p:names") == .integer(2))
        }
    }

    @Test("a wrong password: the records are retried, then dead-lettered; no reason contains the password")
    func wrongPasswordNeverShown() async throws {
        let server = try await RedisTestServer(password: Self.password)
        defer { server.stop() }
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        FeedActivities().produce(0..<3, harness: harness)
        let wrong = "not-the-Pa55word"
        try await RedisPluginRun.withPlugin(harness, sidecar: """
            retry:
              max_attempts: 3
            config:
              url: redis://:\(wrong)@127.0.0.1:\(server.port)/0
              reconnect_backoff_ms: 10
              reconnect_backoff_max_ms: 20
            """) { runtime in
            try await eventually("3 dead letters") { harness.count("redis.dlq") == 3 }
            for letter in harness.records("redis.dlq").map(\.record) {
                let reason = letter.header("sluice.error") ?? ""
                #expect(reason.contains("redis://:***@127.0.0.1:\(server.port)/0"), "reason: \(reason)")
                #expect(!reason.contains(wrong), "the password leaked into: \(reason)")
            }
            let status = try RedisPluginRun.status(runtime)
            #expect(!(status.lastError ?? "").contains(wrong))
        }
    }

    @Test("an invalid configuration is refused with a reason naming the key")
    func invalidConfigurationRefused() async throws {
        let cases: [(config: String, reason: String)] = [
            ("  url: http://localhost:6379\n", "'url': expected redis://"),
            ("  commands: [[ZADD, \"{user:epoch_s}\"]]\n", "unknown conversion 'epoch_s'"),
            ("  commands: [[ZADD, \"{user\"]]\n", "'{' without a closing '}'"),
            ("  commands: []\n", "config.commands: expected a non-empty list, found an empty list"),
            ("  pool_size: 0\n", "config.pool_size: expected an integer from 1 to 256, found 0"),
            ("  pool_sise: 2\n", #"found unknown key "pool_sise" (did you mean "pool_size"?)"#),
        ]
        for (config, reason) in cases {
            let harness = try HostHarness(partitions: 1)
            defer { harness.remove() }
            try harness.installBuiltPlugin(product: "SluiceRedis", as: "redis", sidecar: "config:\n" + config)
            try await harness.withRuntime { runtime in
                #expect(runtime.agents.isEmpty)
                let refusal = try #require(runtime.refusals.first)
                #expect(refusal.description.contains(reason), "\(refusal.description)")
            }
        }
    }
}
