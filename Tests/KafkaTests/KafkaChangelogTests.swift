import Foundation
import SluiceHost
import Testing
import TestSupport

/// The changelog half of the Kafka transport against the local broker:
/// compacted topics, partition counts, end offsets and replaying a partition
/// with a reader outside any group.
@Suite("Kafka changelogs", .timeLimit(.minutes(3)))
struct KafkaChangelogTests {
    /// Runs a blocking transport call on a thread of its own.
    private func blocking<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await DedicatedThread.run("test-kafka-changelog", work)
    }

    /// Produces `count` records to partition 0 of `topic` (key `k<i>`, value
    /// `v<i>`, header `n: <i>`), in flushes of `chunk`, so the broker holds
    /// several batches; throws if any was not acknowledged.
    private func produce(_ count: Int, to topic: String, through transport: KafkaTransport, chunk: Int = 1000) async throws {
        let acks = AcknowledgementLog()
        for start in stride(from: 0, to: count, by: chunk) {
            for index in start..<min(count, start + chunk) {
                transport.producer.produce(OutgoingRecord(topic: topic, partition: 0, key: Array("k\(index)".utf8),
                                                          value: Array("v\(index)".utf8),
                                                          headers: [.init(name: "n", text: "\(index)")])) { acks.record($0) }
            }
            #expect(await transport.flushed(timeout: .seconds(30)))
        }
        try await eventually(timeout: .seconds(30), "\(count) acknowledgements") { acks.count == count }
        #expect(acks.failures.isEmpty, "\(acks.failures)")
    }

    /// What one replay handed over.
    private struct Replayed: Sendable {
        var records: [StoredRecord] = []
        var batchSizes: [Int] = []
        var sourcesMatch = true
    }

    private func replay(_ transport: KafkaTransport, _ partition: TopicPartition, from offset: Int64,
                        to end: Int64) async throws -> Replayed {
        try await blocking {
            var replayed = Replayed()
            try transport.replay(partition, from: offset, to: end) { batch in
                replayed.sourcesMatch = replayed.sourcesMatch && batch.source == partition
                replayed.batchSizes.append(batch.count)
                replayed.records += batch.messages.map(StoredRecord.init)
            }
            return replayed
        }
    }

    @Test("a changelog topic is created compacted with its partitions; partitionCount reads them; an existing one is left as it is")
    func createsCompactedTopic() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("table-changelog")
        try await blocking { try transport.ensureChangelogTopic(topic, partitions: 3) }
        #expect(try await blocking { try transport.partitionCount(of: topic) } == 3)
        #expect(try await world.partitionCount(topic) == 3)
        #expect(try await world.topicConfig(topic, "cleanup.policy") == "compact")

        try await blocking { try world.transport().ensureChangelogTopic(topic, partitions: 6) }   // a fresh transport: exists
        #expect(try await blocking { try transport.partitionCount(of: topic) } == 3)
        await #expect(throws: KafkaError.self) { try await blocking { try transport.ensureChangelogTopic(world.name("none"), partitions: 0) } }
    }

    @Test("a topic that does not exist: partitionCount is nil (asking does not create it), end offset 0")
    func missingTopic() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("missing")
        #expect(try await blocking { try transport.partitionCount(of: topic) } == nil)
        #expect(try await blocking { try transport.endOffset(of: TopicPartition(topic, 0)) } == 0)
        #expect(try await blocking { try transport.partitionCount(of: topic) } == nil)
        #expect(try await replay(transport, TopicPartition(topic, 0), from: 5, to: 5).records.isEmpty)
    }

    @Test("replaying a partition that does not exist fails, naming it")
    func replayMissing() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("absent")
        try await blocking { try transport.ensureChangelogTopic(topic, partitions: 1) }
        for partition in [TopicPartition(world.name("nowhere"), 0), TopicPartition(topic, 3)] {
            do {
                _ = try await replay(transport, partition, from: 0, to: 10)
                Issue.record("replaying \(partition) must fail")
            } catch {
                #expect("\(error)".contains(partition.description), "\(error)")
            }
        }
        #expect(try await blocking { try transport.partitionCount(of: world.name("nowhere")) } == nil)
    }

    @Test("the end offset is one past the last record, however many batches the broker holds; 0 for an empty partition, whose replay is empty")
    func endOffset() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("ends")
        try await blocking { try transport.ensureChangelogTopic(topic, partitions: 2) }
        #expect(try await blocking { try transport.endOffset(of: TopicPartition(topic, 0)) } == 0)
        try await produce(250, to: topic, through: transport, chunk: 70)
        #expect(try await blocking { try transport.endOffset(of: TopicPartition(topic, 0)) } == 250)
        #expect(try await blocking { try transport.endOffset(of: TopicPartition(topic, 1)) } == 0)
        #expect(try await replay(transport, TopicPartition(topic, 1), from: 0, to: 10).records.isEmpty)
        #expect(try await blocking { try transport.endOffset(of: TopicPartition(topic, 7)) } == 0)
    }

    @Test("replaying 10,000 records from 0, from a middle offset and up to an earlier end hands over exactly them, in order, intact")
    func replays() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("replayed")
        let partition = TopicPartition(topic, 0)
        try await blocking { try transport.ensureChangelogTopic(topic, partitions: 1) }
        try await produce(10_000, to: topic, through: transport)
        let end = try await blocking { try transport.endOffset(of: partition) }
        #expect(end == 10_000)

        func check(_ replayed: Replayed, _ expected: Range<Int64>) {
            #expect(replayed.sourcesMatch)
            #expect(replayed.batchSizes.allSatisfy { $0 > 0 && $0 <= 4096 })
            #expect(replayed.records.map(\.offset) == Array(expected))
            let intact = replayed.records.allSatisfy {
                $0.keyText == "k\($0.offset)" && $0.valueText == "v\($0.offset)" && $0.header("n") == "\($0.offset)"
            }
            #expect(intact, "keys, values and headers match the offsets")
        }
        check(try await replay(transport, partition, from: 0, to: end), 0..<10_000)
        check(try await replay(transport, partition, from: 6_789, to: end), 6_789..<10_000)
        check(try await replay(transport, partition, from: 1_234, to: 5_000), 1_234..<5_000)
        // An end past the partition's end: everything there is, then it returns.
        check(try await replay(transport, partition, from: 9_990, to: 20_000), 9_990..<10_000)
    }

    @Test("offset == end hands over nothing and returns at once; an error from the body stops the replay and is rethrown")
    func emptyRangeAndBodyError() async throws {
        struct Refused: Error {}
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("short")
        let partition = TopicPartition(topic, 0)
        try await blocking { try transport.ensureChangelogTopic(topic, partitions: 1) }
        try await produce(5_000, to: topic, through: transport)
        #expect(try await replay(transport, partition, from: 10, to: 10).records.isEmpty)
        #expect(try await replay(transport, partition, from: 4_000, to: 4_000).records.isEmpty)

        let calls = try await blocking { () throws -> Int in
            var calls = 0
            do {
                try transport.replay(partition, from: 0, to: 5_000) { _ in
                    calls += 1
                    throw Refused()
                }
            } catch is Refused {
                return calls
            }
            return -1
        }
        #expect(calls == 1)
    }

    @Test("replayed batches stay readable after the replay returned and its reader is gone")
    func batchesOutliveTheReader() async throws {
        let world = try KafkaTestWorld()
        let transport = try world.transport()
        let topic = world.name("kept")
        try await blocking { try transport.ensureChangelogTopic(topic, partitions: 1) }
        try await produce(300, to: topic, through: transport, chunk: 100)
        let kept = try await blocking { () throws -> [FetchedBatch] in
            var kept: [FetchedBatch] = []
            try transport.replay(TopicPartition(topic, 0), from: 0, to: 300) { kept.append($0) }
            return kept
        }
        let values = kept.flatMap { $0.messages.map(StoredRecord.init) }.map(\.valueText)
        #expect(values == (0..<300).map { "v\($0)" })
    }
}
