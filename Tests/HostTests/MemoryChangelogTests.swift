import SluiceHost
import Testing

/// The changelog half of the `memory://` transport: compacted topics,
/// partition counts, end offsets and replaying a partition.
@Suite("memory:// changelogs")
struct MemoryChangelogTests {
    /// `count` records on partition 0 of a one-partition topic, with a key, a
    /// value and a header derived from their index.
    private func seeded(_ count: Int, topic: String = "changelog") throws -> MemoryTransport {
        let transport = MemoryTransport(broker: MemoryBroker(defaultPartitions: 1))
        try transport.ensureChangelogTopic(topic, partitions: 1)
        for index in 0..<count {
            transport.broker.append(OutgoingRecord(topic: topic, key: Array("k\(index)".utf8), value: Array("v\(index)".utf8),
                                                   headers: [.init(name: "n", text: "\(index)")]))
        }
        return transport
    }

    /// Every record `replay` hands over, with the sizes of its batches.
    private func replayed(_ transport: MemoryTransport, _ partition: TopicPartition, from offset: Int64,
                          to end: Int64) throws -> (records: [StoredRecord], batchSizes: [Int]) {
        var records: [StoredRecord] = []
        var batchSizes: [Int] = []
        try transport.replay(partition, from: offset, to: end) { batch in
            #expect(batch.source == partition)
            batchSizes.append(batch.count)
            records += batch.messages.map(StoredRecord.init)
        }
        return (records, batchSizes)
    }

    @Test("a changelog topic is created with its partitions and marked compacted; an existing topic is left as it is")
    func createsChangelogTopic() throws {
        let transport = MemoryTransport(broker: MemoryBroker(defaultPartitions: 8))
        try transport.ensureChangelogTopic("table-a", partitions: 3)
        #expect(try transport.partitionCount(of: "table-a") == 3)
        #expect(transport.broker.isCompacted("table-a"))

        try transport.ensureChangelogTopic("table-a", partitions: 5)   // exists: unchanged
        #expect(try transport.partitionCount(of: "table-a") == 3)

        try transport.ensureTopic("plain")
        try transport.ensureChangelogTopic("plain", partitions: 2)     // exists: neither resized nor compacted
        #expect(try transport.partitionCount(of: "plain") == 8)
        #expect(!transport.broker.isCompacted("plain"))

        #expect(throws: ProduceError.self) { try transport.ensureChangelogTopic("table-b", partitions: 0) }
        #expect(try transport.partitionCount(of: "table-b") == nil)
    }

    @Test("a topic that does not exist has no partition count and end offset 0")
    func missingTopic() throws {
        let transport = MemoryTransport()
        #expect(try transport.partitionCount(of: "nowhere") == nil)
        #expect(try transport.endOffset(of: TopicPartition("nowhere", 0)) == 0)
        #expect(try replayed(transport, TopicPartition("nowhere", 0), from: 0, to: 10).records.isEmpty)
        #expect(transport.broker.topicNames.isEmpty, "reading must not create the topic")
    }

    @Test("the end offset is one past the last record, per partition; 0 for a partition the topic does not have")
    func endOffsets() throws {
        let transport = MemoryTransport(broker: MemoryBroker())
        try transport.ensureChangelogTopic("table", partitions: 2)
        for index in 0..<7 {
            transport.broker.append(OutgoingRecord(topic: "table", partition: Int32(index % 2), key: nil, value: [1]))
        }
        #expect(try transport.endOffset(of: TopicPartition("table", 0)) == 4)
        #expect(try transport.endOffset(of: TopicPartition("table", 1)) == 3)
        #expect(try transport.endOffset(of: TopicPartition("table", 2)) == 0)
    }

    @Test("replaying 10,000 records from 0 hands over exactly them, in order, in consecutive batches, keys, values and headers intact")
    func replaysEverything() throws {
        let transport = try seeded(10_000)
        let partition = TopicPartition("changelog", 0)
        let end = try transport.endOffset(of: partition)
        #expect(end == 10_000)
        let (records, batchSizes) = try replayed(transport, partition, from: 0, to: end)
        #expect(records.map(\.offset) == Array(0..<10_000))
        #expect(records.allSatisfy { $0.keyText == "k\($0.offset)" && $0.valueText == "v\($0.offset)" && $0.header("n") == "\($0.offset)" })
        #expect(batchSizes.count > 1 && batchSizes.allSatisfy { $0 <= 4096 })
    }

    @Test("replaying from a middle offset up to an end before the last record stops there")
    func replaysARange() throws {
        let transport = try seeded(10_000)
        let (records, _) = try replayed(transport, TopicPartition("changelog", 0), from: 4_321, to: 9_000)
        #expect(records.map(\.offset) == Array(4_321..<9_000))
        #expect(records.first?.valueText == "v4321")
    }

    @Test("offset == end, offset past the end, and an end past the log hand over nothing more than there is")
    func emptyRanges() throws {
        let transport = try seeded(10)
        let partition = TopicPartition("changelog", 0)
        #expect(try replayed(transport, partition, from: 10, to: 10).records.isEmpty)
        #expect(try replayed(transport, partition, from: 5, to: 5).records.isEmpty)
        #expect(try replayed(transport, partition, from: 12, to: 20).records.isEmpty)
        #expect(try replayed(transport, partition, from: 7, to: 1_000).records.map(\.offset) == [7, 8, 9])
    }

    @Test("an error thrown by the body stops the replay and is rethrown")
    func bodyErrorStops() throws {
        struct Refused: Error {}
        let transport = try seeded(10_000)
        var calls = 0
        #expect(throws: Refused.self) {
            try transport.replay(TopicPartition("changelog", 0), from: 0, to: 10_000) { _ in
                calls += 1
                throw Refused()
            }
        }
        #expect(calls == 1)
    }

    @Test("a replayed batch stays readable after the replay returned")
    func batchOutlivesReplay() throws {
        let transport = try seeded(3)
        var kept: [FetchedBatch] = []
        try transport.replay(TopicPartition("changelog", 0), from: 0, to: 3) { kept.append($0) }
        transport.broker.append(OutgoingRecord(topic: "changelog", key: nil, value: Array("later".utf8)))
        #expect(kept.flatMap { $0.messages.map(StoredRecord.init) }.map(\.valueText) == ["v0", "v1", "v2"])
    }
}
