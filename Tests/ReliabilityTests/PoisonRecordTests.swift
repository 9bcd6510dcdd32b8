import Foundation
import SluiceHost
import Testing
import TestSupport

/// Reliability: bad records among good ones, through the redis plugin
/// (its own JSON reader and templates are the production path for bad input).
/// Every bad record must reach the dead-letter topic with a reason naming what
/// was wrong, every good one must reach Redis, and every partition must be
/// committed to its end. Counted, not sampled.
@Suite("Poison records", .serialized, .timeLimit(.minutes(5)))
struct PoisonRecordTests {
    /// Short (CI): 100k records, 1,000 of them bad, two of those 5 MB.
    /// Long (`SLUICE_RELIABILITY_LONG=1`): 100k records, 1,000 bad of each small kind plus ten of 5 MB.
    private struct Plan {
        let total: Int
        let bad: Int
        let huge: Int

        static let current: Plan = ReliabilityProfile.current.name == ReliabilityProfile.long.name
            ? Plan(total: 100_000, bad: 1_000 * PoisonRecord.small.count + 10, huge: 10)
            : Plan(total: 100_000, bad: 1_000, huge: 2)

        /// The kind of each bad record in stream order: the small kinds take turns, the huge ones sit in the middle.
        var kinds: [PoisonRecord] {
            var kinds = (0..<(bad - huge)).map { PoisonRecord.small[$0 % PoisonRecord.small.count] }
            kinds.insert(contentsOf: Array(repeating: PoisonRecord.hugeValue, count: huge), at: kinds.count / 2)
            return kinds
        }
    }

    /// A position in an input partition.
    private struct Position: Hashable { let partition: Int32; let offset: Int64 }

    @Test("100k feed activities with bad records of every kind: each bad one dead-lettered with its reason, each good one in Redis, every partition committed to its end")
    func poisonAmongGood() async throws {
        let plan = Plan.current
        let port = try TestServices.redisPort()
        let database = 13
        let prefix = "sluice-test:poison:\(UUID().uuidString.prefix(8)):"
        let harness = try HostHarness(partitions: 8)
        defer { harness.remove() }

        // Bad records spread evenly through the stream.
        let kinds = plan.kinds
        let spacing = plan.total / kinds.count
        var expectedReasons: [Position: String] = [:]
        var good = 0
        var nextBad = 0
        for index in 0..<plan.total {
            let position: (partition: Int32, offset: Int64)
            if nextBad < kinds.count, index == nextBad * spacing + spacing / 2 {
                let bad = kinds[nextBad].record(nextBad)
                position = harness.broker.append(OutgoingRecord(topic: "feed_activities", key: bad.key, value: bad.value))
                expectedReasons[Position(partition: position.partition, offset: position.offset)] = bad.reason
                nextBad += 1
            } else {
                position = harness.broker.append(OutgoingRecord(
                    topic: "feed_activities", key: Array("a\(index)".utf8), value: PoisonRecord.goodValue(index)))
                good += 1
            }
        }
        #expect(expectedReasons.count == plan.bad)

        try harness.installBuiltPlugin(product: "SluiceRedis", as: "redis", sidecar: """
            config:
              url: redis://127.0.0.1:\(port)/\(database)
              key_prefix: "\(prefix)"
              commands:
                - [ZADD, "{user}", "{timestamp:epoch}", "{key}"]
            """)
        let (elapsed, status) = try await harness.withRuntime { runtime in
            #expect(runtime.refusals.isEmpty, "refused: \(runtime.refusals)")
            let clock = ContinuousClock()
            let started = clock.now
            try await eventually(timeout: .seconds(240), "every partition committed to its end") {
                if case .failed(let reason) = runtime.agent("redis")?.status.state { throw HarnessError("the agent failed: \(reason)") }
                let committed = harness.broker.committed(group: "sluice.redis")
                return (0..<Int32(8)).allSatisfy {
                    let partition = TopicPartition("feed_activities", $0)
                    return committed[partition] == harness.broker.endOffset(partition)
                }
            }
            let elapsed = clock.now - started
            let status = try #require(runtime.agent("redis")?.status)
            return (elapsed, status)
        }

        // Every bad record once in the dead-letter topic, with its reason and original bytes.
        var lettered = Set<Position>()
        for (_, letter) in harness.records("redis.dlq") {
            let source = try #require(
                letter.header("sluice.source.partition").flatMap(Int32.init).flatMap { partition in
                    letter.header("sluice.source.offset").flatMap(Int64.init).map { Position(partition: partition, offset: $0) }
                }, "a dead letter without its source position")
            let expected = try #require(expectedReasons[source], "a good record was dead-lettered: \(letter.header("sluice.error") ?? "")")
            let reason = letter.header("sluice.error") ?? ""
            #expect(reason.contains(expected), "partition \(source.partition) offset \(source.offset): reason \(reason.prefix(200))")
            #expect(reason.utf8.count < 1024, "reasons stay short, even for a 5 MB value")
            #expect(letter.header("sluice.agent") == "redis")
            #expect(lettered.insert(source).inserted, "dead-lettered twice: \(source)")
            let original = harness.broker.records(TopicPartition("feed_activities", source.partition), from: source.offset).first
            #expect(letter.value == original?.value && letter.key == original?.key, "the dead letter keeps key and value")
        }
        #expect(lettered == Set(expectedReasons.keys), "\(expectedReasons.count - lettered.count) bad records missing from redis.dlq")

        // Every good record in Redis: the members (record keys) across all users' sorted sets.
        let members = try await Self.redis(port: port, database: database, script: """
            local n = 0
            for _, key in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do n = n + redis.call('ZCARD', key) end
            return n
            """, prefix: prefix)
        _ = try await Self.redis(port: port, database: database, script: """
            for _, key in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do redis.call('DEL', key) end
            return 0
            """, prefix: prefix)
        #expect(members == good, "members in Redis: \(members), good records: \(good)")
        #expect(status.processed == good)
        #expect(status.deadLettered == plan.bad)
        print("poison records: \(plan.total) records, \(plan.bad) bad (\(plan.huge) of 5 MB), \(lettered.count) dead-lettered, "
              + "\(members) written to Redis, lost 0, every partition committed to its end in \(elapsed)")
    }

    /// Runs a Lua script over the keys under `prefix` with redis-cli; returns its integer reply.
    private static func redis(port: Int, database: Int, script: String, prefix: String) async throws -> Int {
        let result = try await ProcessRunner.run(["redis-cli", "-h", "127.0.0.1", "-p", "\(port)", "-n", "\(database)",
                                            "EVAL", script, "0", prefix])
        guard let number = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HarnessError("redis-cli answered \(result.output)")
        }
        return number
    }
}
