import Foundation
import SluiceHost
import Testing
import TestSupport

/// Reliability on kafka://: the poison-record kinds through the redis
/// plugin on the local broker, fewer records than on memory:// (the 100k run
/// is `PoisonRecordTests`), and one value larger than librdkafka's default
/// `message.max.bytes` (1 MB), produced with a raised limit. The host keeps the
/// default, so that record's dead letter is too large for its producer: it
/// must go out without its value instead of blocking the partition.
@Suite("Poison records on kafka://", .serialized, .timeLimit(.minutes(4)))
struct KafkaPoisonRecordTests {
    @Test("bad records of every kind and a 2 MB one on kafka://: each dead-lettered with its reason, each good one in Redis, committed to the end")
    func poisonOnKafka() async throws {
        let port = try TestServices.redisPort()
        let database = 14
        let prefix = "sluice-test:kafka-poison:\(UUID().uuidString.prefix(8)):"
        let host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        let input = world.name("feed"), deadLetters = world.name("redis-dlq")
        try host.harness.installBuiltPlugin(product: "SluiceRedis", as: "redis", sidecar: """
            topics: [\(input)]
            dead_letter_topic: \(deadLetters)
            config:
              url: redis://127.0.0.1:\(port)/\(database)
              key_prefix: "\(prefix)"
              commands:
                - [ZADD, "{user}", "{timestamp:epoch}", "{key}"]
            """)
        let seeding = try world.transport(["message.max.bytes": "10000000"])
        try await seeding.createTopicIfMissing(input)
        try await seeding.createTopicIfMissing(deadLetters)

        let total = 3000
        var bad: [String: String] = [:]  // key text or "null-key-<n>" → expected reason
        let failures = FailureCounter()
        for index in 0..<total {
            var record: (key: [UInt8]?, value: [UInt8]?, reason: String?)
            if index.isMultiple(of: 50) {
                let n = index / 50
                let kind = PoisonRecord.small[n % PoisonRecord.small.count]
                let made = kind.record(n)
                record = (made.key, made.value, made.reason)
            } else if index == total / 2 + 1 {
                // 2 MB: over librdkafka's default message.max.bytes of the host's producer.
                let filler = String(repeating: "x", count: 2_000_000)
                record = (Array("huge".utf8), Array(#"{"user":"u1","message":"\#(filler)"}"#.utf8), "missing field 'timestamp'")
            } else {
                record = (Array("a\(index)".utf8), PoisonRecord.goodValue(index), nil)
            }
            let tag = "test.index"
            let outgoing = OutgoingRecord(topic: input, key: record.key, value: record.value,
                                          headers: [.init(name: tag, text: "\(index)")])
            if let reason = record.reason { bad["\(index)"] = reason }
            seeding.producer.produce(outgoing) { if case .failure = $0 { failures.add() } }
        }
        #expect(await seeding.flushed(timeout: .seconds(60)))
        #expect(failures.count == 0, "producing the input failed for \(failures.count) records")
        let ends = try await world.endOffsets(input, expected: total)

        let status = try await host.withRuntime { runtime in
            #expect(runtime.refusals.isEmpty, "refused: \(runtime.refusals)")
            try await eventually(timeout: .seconds(120), "every partition committed to its end") {
                if case .failed(let reason) = runtime.agent("redis")?.status.state { throw HarnessError("the agent failed: \(reason)") }
                return try await world.committed(group: host.group(of: "redis"), topic: input) == ends
            }
            let status = try #require(runtime.agent("redis")?.status)
            return status
        }

        let letters = try await world.readAll(deadLetters, expected: bad.count)
        var lettered = Set<String>()
        for letter in letters {
            let index = try #require(letter.headers["test.index"], "the dead letter keeps the original headers")
            let expected = try #require(bad[index], "good record \(index) was dead-lettered: \(letter.headers["sluice.error"] ?? "")")
            #expect(letter.headers["sluice.error"]?.contains(expected) == true, "record \(index): \(letter.headers["sluice.error"] ?? "")")
            if letter.key == "huge" {
                #expect(letter.value.isEmpty, "the 2 MB value is left out of its dead letter")
                #expect(letter.headers["sluice.value.omitted"]?.contains("(2000026 bytes)") == true,
                        "\(letter.headers["sluice.value.omitted"] ?? "no sluice.value.omitted header")")
            } else {
                #expect(letter.headers["sluice.value.omitted"] == nil)
            }
            lettered.insert(index)
        }
        #expect(lettered == Set(bad.keys), "\(bad.count - lettered.count) bad records missing from the dead-letter topic")
        #expect(status.processed == total - bad.count)
        print("poison records on kafka://: \(total) records, \(bad.count) bad (one of 2 MB), \(lettered.count) dead-lettered, "
              + "\(status.processed) processed, lost 0, every partition committed to its end")
    }
}
