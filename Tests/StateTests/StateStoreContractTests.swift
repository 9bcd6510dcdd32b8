import SluiceHost
import Synchronization
import Testing
import TestSupport

/// What every state store back end does alike: run against memory and RocksDB.
@Suite("StateTests: the state store contract")
struct StateStoreContractTests {
    @Test("put, get and delete go through apply", arguments: StoreBackend.allCases)
    func putGetDelete(backend: StoreBackend) throws {
        try backend.withStore { store in
            #expect(try store.value("t", 0, [1]) == nil)
            try store.put("t", 0, [([1], [10]), ([2], [20, 21])])
            #expect(try store.value("t", 0, [1]) == [10])
            #expect(try store.value("t", 0, [2]) == [20, 21])

            // Later writes of one apply win, in order; a nil value deletes.
            try store.apply([
                StateWrite(table: "t", key: [1], value: [11]),
                StateWrite(table: "t", key: [2], value: nil),
                StateWrite(table: "t", key: [3], value: []),
                StateWrite(table: "t", key: [3], value: [30]),
            ], checkpoint: .empty, partition: 0)
            #expect(try store.value("t", 0, [1]) == [11])
            #expect(try store.value("t", 0, [2]) == nil)
            #expect(try store.value("t", 0, [3]) == [30])

            // An empty value is a value, and an empty key a key.
            try store.put("t", 0, [([], []), ([4], [])])
            #expect(try store.value("t", 0, []) == [])
            #expect(try store.value("t", 0, [4]) == [])

            // Deleting in a table that never held a key is no error.
            try store.apply([StateWrite(table: "never", key: [1], value: nil)], checkpoint: .empty, partition: 0)
            #expect(try store.value("never", 0, [1]) == nil)
            #expect(try store.entries("never", 0).isEmpty)
        }
    }

    @Test("scan orders keys by unsigned bytes", arguments: StoreBackend.allCases)
    func scanOrder(backend: StoreBackend) throws {
        try backend.withStore { store in
            let keys: [[UInt8]] = [[0xff], [0x80], [0x7f, 0x00], [0x00], [0x7f], [0x00, 0x01], [], [0x80, 0xff]]
            try store.put("t", 0, keys.map { ($0, [UInt8(truncatingIfNeeded: $0.count)]) })
            let scanned = try store.entries("t", 0).map(\.key)
            #expect(scanned == [[], [0x00], [0x00, 0x01], [0x7f], [0x7f, 0x00], [0x80], [0x80, 0xff], [0xff]])
            #expect(try store.entries("t", 0).map(\.value) == scanned.map { [UInt8($0.count)] })
        }
    }

    @Test("scan: bounds, limit and early stop", arguments: StoreBackend.allCases)
    func scanBounds(backend: StoreBackend) throws {
        try backend.withStore { store in
            try store.put("t", 0, [([0x00], [0]), ([0x10], [1]), ([0x10, 0x00], [2]), ([0x20], [3]), ([0xff], [4])])
            let keys = { (start: [UInt8]?, end: [UInt8]?, limit: Int) throws -> [[UInt8]] in
                try store.entries("t", 0, from: start, to: end, limit: limit).map(\.key)
            }
            // start inclusive, end exclusive, between stored keys or on them.
            #expect(try keys([0x10], [0x20], 0) == [[0x10], [0x10, 0x00]])
            #expect(try keys([0x05], [0x10, 0x00], 0) == [[0x10]])
            #expect(try keys(nil, [0x10], 0) == [[0x00]])
            #expect(try keys([0x20], nil, 0) == [[0x20], [0xff]])
            #expect(try keys([], nil, 0).count == 5)
            #expect(try keys([0x21], [0xfe], 0).isEmpty)
            // Empty and inverted ranges hold nothing.
            #expect(try keys(nil, [], 0).isEmpty)
            #expect(try keys([0x20], [0x20], 0).isEmpty)
            #expect(try keys([0x20], [0x10], 0).isEmpty)
            // limit: at most that many; 0 is no limit.
            #expect(try keys(nil, nil, 2) == [[0x00], [0x10]])
            #expect(try keys([0x10], nil, 1) == [[0x10]])
            #expect(try keys(nil, nil, 99).count == 5)

            // The visitor stops the scan by returning false; that entry counts as visited.
            var seen: [[UInt8]] = []
            let visited = try store.scan(table: "t", partition: 0, from: nil, to: nil, limit: 0) { key, _ in
                seen.append(Array(key))
                return seen.count < 3
            }
            #expect(visited == 3)
            #expect(seen == [[0x00], [0x10], [0x10, 0x00]])

            // A table nobody wrote scans empty.
            #expect(try store.scan(table: "other", partition: 0, from: nil, to: nil, limit: 0) { _, _ in true } == 0)
        }
    }

    @Test("apply stores the checkpoint with its writes", arguments: StoreBackend.allCases)
    func checkpointWithWrites(backend: StoreBackend) throws {
        try backend.withStore { store in
            #expect(try store.checkpoint(partition: 4) == nil)
            let first = StateCheckpoint(appliedOffset: 41, sealSequence: 7,
                                        changelogPositions: ["counts": 12, "totals": 0, "naïve#table": Int64.max])
            try store.put("counts", 4, [([1], [1])], checkpoint: first)
            #expect(try store.checkpoint(partition: 4) == first)

            let second = StateCheckpoint(appliedOffset: -1, sealSequence: .max, changelogPositions: [:])
            try store.apply([], checkpoint: second, partition: 4)
            #expect(try store.checkpoint(partition: 4) == second)
            #expect(try store.value("counts", 4, [1]) == [1])
            #expect(try store.checkpoint(partition: 5) == nil)
        }
    }

    @Test("partitions and tables are independent key spaces", arguments: StoreBackend.allCases)
    func independentKeySpaces(backend: StoreBackend) throws {
        try backend.withStore { store in
            try store.put("a", 0, [([1], [0xa0])])
            try store.put("b", 0, [([1], [0xb0])])
            try store.put("a", 1, [([1], [0xa1]), ([2], [0xa1])])
            try store.put("a#1", 0, [([1], [0xaa])])
            #expect(try store.value("a", 0, [1]) == [0xa0])
            #expect(try store.value("b", 0, [1]) == [0xb0])
            #expect(try store.value("a", 1, [1]) == [0xa1])
            #expect(try store.value("a#1", 0, [1]) == [0xaa])
            #expect(try store.value("b", 1, [1]) == nil)
            #expect(try store.entries("a", 0) == [Entry([1], [0xa0])])
            #expect(try store.entries("a", 1).count == 2)

            try store.apply([StateWrite(table: "a", key: [1], value: nil)], checkpoint: .empty, partition: 1)
            #expect(try store.value("a", 0, [1]) == [0xa0])
            #expect(try store.value("a", 1, [1]) == nil)
        }
    }

    @Test("drop forgets exactly that partition", arguments: StoreBackend.allCases)
    func dropPartition(backend: StoreBackend) throws {
        try backend.withStore { store in
            let kept = StateCheckpoint(appliedOffset: 9, sealSequence: 1, changelogPositions: ["a": 3])
            try store.put("a", 0, [([1], [1])], checkpoint: kept)
            try store.put("b", 0, [([2], [2])], checkpoint: kept)
            try store.put("a", 1, [([1], [1])], checkpoint: kept)
            try store.put("b", 1, [([2], [2])], checkpoint: kept)

            try store.drop(partition: 1)
            #expect(try store.checkpoint(partition: 1) == nil)
            #expect(try store.entries("a", 1).isEmpty)
            #expect(try store.value("b", 1, [2]) == nil)
            #expect(try store.checkpoint(partition: 0) == kept)
            #expect(try store.value("a", 0, [1]) == [1])
            #expect(try store.value("b", 0, [2]) == [2])

            // Dropping a partition with nothing is no error, and a dropped partition takes writes again.
            try store.drop(partition: 7)
            try store.put("a", 1, [([3], [3])])
            #expect(try store.entries("a", 1) == [Entry([3], [3])])
        }
    }

    @Test("a value read during a scan and a scan's visitor may call the store", arguments: StoreBackend.allCases)
    func reentrantCalls(backend: StoreBackend) throws {
        try backend.withStore { store in
            try store.put("t", 0, [([1], [1]), ([2], [2])])
            var inner: [[UInt8]?] = []
            try store.scan(table: "t", partition: 0, from: nil, to: nil, limit: 0) { key, _ in
                inner.append(try? store.value("t", 0, Array(key)))
                return true
            }
            #expect(inner == [[1], [2]])
        }
    }

    @Test("concurrent apply and get on different partitions", arguments: StoreBackend.allCases)
    func concurrentPartitions(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let threads = 4
            let rounds = 300
            let problems = ProblemList()
            await DedicatedThread.run("state-test") {
                DedicatedThread.runAllBlocking("state-test", count: threads) { thread in
                    let partition = Int32(thread)
                    do {
                        for round in 0..<rounds {
                            let key = withUnsafeBytes(of: UInt32(round).bigEndian) { Array($0) }
                            let checkpoint = StateCheckpoint(appliedOffset: Int64(round), sealSequence: UInt64(round),
                                                             changelogPositions: ["t": Int64(round)])
                            try store.apply([StateWrite(table: "t", key: key, value: [UInt8(thread)]),
                                             StateWrite(table: "shared", key: [0], value: key)],
                                            checkpoint: checkpoint, partition: partition)
                            guard try store.value("t", partition, key) == [UInt8(thread)],
                                  try store.value("shared", partition, [0]) == key,
                                  try store.checkpoint(partition: partition) == checkpoint else {
                                problems.add("partition \(partition) round \(round): read back differs")
                                return
                            }
                        }
                    } catch {
                        problems.add("partition \(partition): \(error)")
                    }
                }
            }
            #expect(problems.all == [])
            for thread in 0..<threads {
                let entries = try store.entries("t", Int32(thread))
                #expect(entries.count == rounds)
                #expect(entries.allSatisfy { $0.value == [UInt8(thread)] })
                #expect(try store.checkpoint(partition: Int32(thread))?.appliedOffset == Int64(rounds - 1))
            }
        }
    }

    @Test("calls after close are refused with the store's name", arguments: StoreBackend.allCases)
    func closedStore(backend: StoreBackend) throws {
        try backend.withStore { store in
            try store.put("t", 0, [([1], [1])])
            store.close()
            store.close()
            let error = #expect(throws: StateStoreError.self) { try store.value("t", 0, [1]) }
            #expect(error?.description.contains("closed") == true)
            #expect(throws: StateStoreError.self) { try store.put("t", 0, [([1], [1])]) }
            #expect(throws: StateStoreError.self) { try store.checkpoint(partition: 0) }
            #expect(throws: StateStoreError.self) { try store.drop(partition: 0) }
        }
    }
}

/// What the threads of a concurrent test saw go wrong.
final class ProblemList: Sendable {
    private let problems = Mutex<[String]>([])

    func add(_ problem: String) { problems.withLock { $0.append(problem) } }

    var all: [String] { problems.withLock { $0 } }
}
