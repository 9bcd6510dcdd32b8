import Foundation
import SluiceHost
import Testing
import TestSupport

/// The host on `kafka://` (the local Tansu broker) with the C recorder plugin:
/// the "Done when" list, items 1, 2, 4 and 6.
@Suite("Kafka end to end", .serialized, .timeLimit(.minutes(3)))
struct KafkaEndToEndTests {
    @Test("1. consume → plugin → commit: each record once, committed = end offsets, a second run processes nothing")
    func consumeAndCommit() async throws {
        var host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        host.harness.configuration.agentDefaults.batchSize = 100
        let total = 2000
        let (input, output, _, _, ends) = try await host.installRecorderPipeline(records: total)
        #expect(ends.count == 4 && ends.values.reduce(0, +) == Int64(total))

        let reader = try await host.withRuntime { runtime in
            let reader = try await host.reader(output)
            try await reader.waitForRecords(atLeast: total, "\(total) records recorded")
            return reader
        }

        let recorded = RecordingLedger(reader.records)
        #expect(recorded.missing(ends: ends) == 0)
        #expect(recorded.duplicates == 0)
        #expect(recorded.misplaced == 0)
        #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == ends)

        // Same group again: assigned everything, handles nothing.
        try await host.withRuntime { second in
            try await eventually(timeout: .seconds(60), "the second run is assigned all 4 partitions") {
                second.agents.first?.partitions.count == 4
            }
            try await Task.sleep(for: .seconds(1))
            #expect(second.agents.first?.processed == 0)
        }
        #expect(await reader.count == total)
    }

    @Test("4. a chain through Kafka: A consumes orders and produces to quality, B consumes quality; all arrive, keys kept")
    func chain() async throws {
        let host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        let orders = world.name("orders"), quality = world.name("quality"), final = world.name("final")
        try await host.harness.installRecorder(name: "alpha", sidecar: "topics: [\(orders)]\nconfig:\n  output: \(quality)\n")
        try await host.harness.installRecorder(name: "beta", sidecar: "topics: [\(quality)]\nconfig:\n  output: \(final)\n")
        let seeding = try await world.seedingTransport(creating: orders, final)
        let total = 500
        try await world.produce(orders, count: total, through: seeding)

        let reader = try await host.withRuntime { runtime in
            let reader = try await host.reader(final)
            try await reader.waitForRecords(atLeast: total, timeout: .seconds(90), "\(total) records through both agents")
            return reader
        }

        let finals = reader.records
        #expect(finals.count == total)
        #expect(Set(finals.compactMap(\.key)) == Set((0..<total).map { "k\($0)" }))
        // B recorded A's output records, which recorded the orders: partitions line up end to end.
        let qualityRecords = try await world.readAll(quality, expected: total)
        #expect(Set(qualityRecords.compactMap(\.key)) == Set((0..<total).map { "k\($0)" }))
        #expect(RecordingLedger(finals).duplicates == 0)
    }

    @Test("2. restart: stop the host mid-stream, start it again; nothing missing, duplicates counted")
    func restartMidStream() async throws {
        var host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        host.throttle()
        let total = 3000
        let (input, output, _, _, ends) = try await host.installRecorderPipeline(records: total)

        let reader = try await host.withRuntime { first in
            let reader = try await host.reader(output)
            try await reader.waitForRecords(atLeast: 200, "a first share recorded")
            return reader
        }
        let atStop = await reader.count
        let committedAtStop = try await world.committed(group: host.group(of: "recorder"), topic: input).values.reduce(0, +)

        try await host.withRuntime { second in
            try await eventually(timeout: .seconds(120), "the rest recorded") {
                _ = await reader.count
                return RecordingLedger(reader.records).missing(ends: ends) == 0
            }
        }

        let recorded = RecordingLedger(reader.records)
        print("restart: stopped after \(atStop) of \(total) records (committed \(committedAtStop)); duplicates after restart: \(recorded.duplicates)")
        #expect(atStop < total, "the stop came mid-stream")
        #expect(recorded.missing(ends: ends) == 0)
        // A graceful stop drains and commits what was in flight, so this is 0
        // on an undisturbed broker; the bound is what can be in flight (a
        // rebalance, e.g. while the failover suite stops the shared broker,
        // re-delivers at most that).
        #expect(recorded.duplicates <= 10)
        #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == ends)
    }

    @Test("1b. records handed over together (produce_batch): each recorded once, in its partition, committed = end offsets")
    func consumeAndCommitHandedOverTogether() async throws {
        var host = try KafkaHost()
        defer { host.remove() }
        host.harness.configuration.agentDefaults.batchSize = 100
        let total = 2000
        let (input, output, _, _, ends) = try await host.installRecorderPipeline(records: total, recorderSettings: "  batch_produce: 1\n")
        let reader = try await host.withRuntime { _ in
            let reader = try await host.reader(output)
            try await reader.waitForRecords(atLeast: total, "\(total) records recorded")
            try await eventually(timeout: .seconds(60), "the offsets committed to the end") {
                try await host.world.committed(group: host.group(of: "recorder"), topic: input) == ends
            }
            return reader
        }
        let recorded = RecordingLedger(reader.records)
        #expect(recorded.missing(ends: ends) == 0)
        #expect(recorded.duplicates == 0)
        #expect(recorded.misplaced == 0)
    }

    @Test("6. produce failure: records whose output cannot be stored are retried, then dead-lettered; nothing vanishes (one by one, and handed over together)",
          arguments: [false, true])
    func produceFailure(handedOverTogether: Bool) async throws {
        var host = try KafkaHost()
        let world = host.world
        defer { host.remove() }
        host.harness.configuration.agentDefaults.batchSize = 20
        let input = world.name("orders"), output = world.name("narrow"), deadLetters = world.name("recorder-dlq")
        try await host.harness.installRecorder(sidecar: """
            topics: [\(input)]
            dead_letter_topic: \(deadLetters)
            retry:
              max_attempts: 2
              initial_backoff: 10ms
            config:
              output: \(output)
              batch_produce: \(handedOverTogether ? 1 : 0)
            """)
        // The recorder writes to the input's partition number; the output has
        // one partition, so every record of partitions 1–3 fails to produce.
        try await world.transport(["sluice.topic.partitions": "1"]).createTopicIfMissing(output)
        let seeding = try await world.seedingTransport(creating: input, deadLetters)
        let total = 200
        try await world.produce(input, count: total, through: seeding)
        let ends = try await world.endOffsets(input, expected: total)

        let (expectedDead, outputReader, deadReader) = try await host.withRuntime { runtime in
            let expectedDead = Int(ends.filter { $0.key != 0 }.values.reduce(0, +))
            let outputReader = try await host.reader(output)
            let deadReader = try await host.reader(deadLetters)
            try await eventually(timeout: .seconds(90), "partition 0 recorded, the rest dead-lettered") {
                let recorded = await outputReader.count, deadLettered = await deadReader.count
                return recorded >= Int(ends[0] ?? 0) && deadLettered >= expectedDead
            }
            return (expectedDead, outputReader, deadReader)
        }

        let recorded = RecordingLedger(outputReader.records)
        #expect(recorded.missing(ends: [0: ends[0] ?? 0]) == 0)
        var dead = Set<RecordingLedger.InputOffset>()
        for record in deadReader.records {
            let partition = try #require(record.headers["sluice.source.partition"].flatMap { Int32($0) })
            let offset = try #require(record.headers["sluice.source.offset"].flatMap { Int64($0) })
            #expect(record.headers["sluice.error"]?.contains("produce to \(output) failed") == true)
            dead.insert(.init(partition: partition, offset: offset))
        }
        for (partition, end) in ends where partition != 0 {
            for offset in 0..<end { #expect(dead.contains(.init(partition: partition, offset: offset))) }
        }
        #expect(dead.count == expectedDead)
        #expect(try await world.committed(group: host.group(of: "recorder"), topic: input) == ends)
    }
}
