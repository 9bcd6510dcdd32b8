import SluiceHost
import Testing

@Suite("memory:// broker")
struct MemoryBrokerTests {
    @Test("murmur2 matches Kafka's Utils.murmur2 test vectors", arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", Int32(-790_332_482)),
        ("a-little-bit-long-string", Int32(-985_981_536)),
        ("a-little-bit-longer-string", Int32(-1_486_304_829)),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", Int32(-58_897_971)),
        ("abc", Int32(479_470_107)),
    ])
    func murmur2(input: String, expected: Int32) {
        #expect(Int32(bitPattern: Murmur2Partitioner.murmur2(Array(input.utf8))) == expected)
    }

    @Test("a keyed record lands on Kafka's default partition; offsets count from 0")
    func partitioning() {
        let broker = MemoryBroker(defaultPartitions: 8)
        let key = Array("user-42".utf8)
        let expected = Murmur2Partitioner.partition(forKey: key, partitionCount: 8)
        let first = broker.append(OutgoingRecord(topic: "t", key: key, value: Array("a".utf8)))
        let second = broker.append(OutgoingRecord(topic: "t", key: key, value: Array("b".utf8)))
        #expect(first.partition == expected && second.partition == expected)
        #expect(first.offset == 0 && second.offset == 1)
        let stored = broker.records(TopicPartition("t", expected))
        #expect(stored.map(\.valueText) == ["a", "b"])
        #expect(stored.map(\.keyText) == ["user-42", "user-42"])
    }

    @Test("null and empty keys and values stay distinct; headers survive")
    func nullsAndHeaders() {
        let broker = MemoryBroker(defaultPartitions: 1)
        broker.append(OutgoingRecord(topic: "t", key: nil, value: nil))
        broker.append(OutgoingRecord(topic: "t", key: [], value: [], headers: [.init(name: "h", text: "v")]))
        let stored = broker.records(TopicPartition("t", 0))
        #expect(stored[0].key == nil && stored[0].value == nil)
        #expect(stored[1].key == [] && stored[1].value == [])
        #expect(stored[1].header("h") == "v")
    }

    @Test("committed offsets are kept per group")
    func commits() {
        let broker = MemoryBroker(defaultPartitions: 2)
        broker.createTopic("t")
        #expect(broker.committed(group: "g").isEmpty)
    }
}
