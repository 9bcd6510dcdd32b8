import CSluicePlugin
@testable import SluiceHost
import Testing
import TestSupport

/// `produce_batch` (ABI 1.3): a plugin hands the host a batch's records in
/// one call. They must be stored as many produce calls would store them:
/// each once, in order, holding their batch's offsets until stored.
@Suite("Records produced together")
struct BatchProduceTests {
    @Test("a batch's records handed over together are each stored once, in order per partition, and the offsets committed to the end",
          arguments: [("sync", "in_process"), ("pending", "in_process"), ("sync", "process"), ("pending", "process")])
    func storedOnceInOrder(mode: String, isolation: String) async throws {
        var harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 100
        harness.configuration.agentDefaults.retry.initialBackoff = .milliseconds(1)
        try await harness.installRecorder(sidecar: """
            isolation: \(isolation)
            config:
              output: recorded
              mode: \(mode)
              batch_produce: 1
            """)
        harness.produce("input", count: 3_000) { index in
            index % 1_000 == 7 ? "dlq\(index)" : index % 1_000 == 9 ? "retry:2-\(index)" : "v\(index)"
        }
        try await harness.withRuntime { _ in
            try await eventually("2,997 records recorded, 3 dead-lettered") {
                harness.count("recorded") >= 2_997 && harness.count("recorder.dlq") >= 3
            }
            try await eventually("the offsets committed to the end") { harness.committedToTheEnd() }
        }
        let stored = harness.records("recorded")
        let lines = stored.compactMap { RecordedLine($0.record) }
        #expect(lines.count == 2_997, "each record once")
        #expect(Set(lines).count == 2_997)
        #expect(stored.allSatisfy { $0.partition == RecordedLine($0.record)?.partition }, "each on its own partition number")
        // In pending mode the fixture finishes each batch on a thread of its own, so a
        // partition's batches may hand their records over in either order.
        for partition in Int32(0)..<4 where mode == "sync" {
            // A retried record is recorded when it comes round again, after later ones.
            let offsets = lines.filter { $0.partition == partition && !$0.value.hasPrefix("retry") }.map(\.offset)
            let inOrder = offsets == offsets.sorted() // compared first: a failure prints no long arrays
            #expect(inOrder, "partition \(partition) in offset order")
        }
        #expect(stored.allSatisfy { $0.record.header("recorder.version") == "1.0.0" }, "headers kept")
    }

    @Test("the memory broker stores records handed over together as one by one: partitions by key, explicit partitions, null and empty keys and values, headers")
    func memoryBrokerAppend() throws {
        let broker = MemoryBroker(defaultPartitions: 4)
        let keyed = Array("user-17".utf8)
        let value = Array("payload".utf8)
        let empty: [UInt8] = []
        let headerName = Array("trace".utf8)
        let headerValue = Array("t-1".utf8)
        keyed.withUnsafeBufferPointer { key in
            value.withUnsafeBufferPointer { value in
                empty.withUnsafeBufferPointer { empty in
                    headerName.withUnsafeBufferPointer { name in
                        headerValue.withUnsafeBufferPointer { headerValue in
                            // An empty array's buffer may have no address: a NULL would mean null.
                            let emptyPointer = empty.baseAddress ?? value.baseAddress!
                            var header = sluice_header(name: UnsafeRawPointer(name.baseAddress!).assumingMemoryBound(to: CChar.self),
                                                       name_len: name.count, value: headerValue.baseAddress, value_len: headerValue.count)
                            withUnsafePointer(to: &header) { header in
                                let records = [
                                    sluice_produce_record(partition: -1, key: key.baseAddress, key_len: key.count,
                                                          value: value.baseAddress, value_len: value.count, headers: header, header_count: 1),
                                    sluice_produce_record(partition: 2, key: nil, key_len: 0, value: nil, value_len: 0,
                                                          headers: nil, header_count: 0),
                                    sluice_produce_record(partition: -1, key: emptyPointer, key_len: 0,
                                                          value: emptyPointer, value_len: 0, headers: nil, header_count: 0),
                                ]
                                records.withUnsafeBufferPointer { records in
                                    broker.append(BorrowedRecordBatch(topic: "out", records: records))
                                }
                            }
                        }
                    }
                }
            }
        }
        let hashed = Murmur2Partitioner.partition(forKey: keyed, partitionCount: 4)
        let emptyKeyed = Murmur2Partitioner.partition(forKey: empty, partitionCount: 4)
        let first = broker.records(TopicPartition("out", hashed))
        #expect(first.first?.key == keyed && first.first?.value == value)
        #expect(first.first?.header("trace") == "t-1")
        let second = broker.records(TopicPartition("out", 2)).first { $0.key == nil }
        #expect(second != nil && second?.value == nil, "a null key and a tombstone stay null")
        let third = broker.records(TopicPartition("out", emptyKeyed)).first { $0.key == [] }
        #expect(third?.value == [], "an empty key and value stay empty, not null")
        let total = (0..<Int32(4)).reduce(0) { $0 + broker.records(TopicPartition("out", $1)).count }
        #expect(total == 3)
    }
}
