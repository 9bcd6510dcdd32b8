import SluiceHost
import Testing

/// The buffer a restore collects writes in, and the key order RocksDB gets them in.
@Suite("StateTests: the restore's write buffer")
struct StateWriteBufferTests {
    /// Writes in changelog order: keys out of order, one key written three
    /// times (the last a delete, then a put again), an empty key and value.
    static func sample() -> StateWriteBuffer {
        var buffer = StateWriteBuffer(tables: ["t", "u"])
        let writes: [(Int32, [UInt8], [UInt8]?)] = [
            (1, [9], [90]), (0, [5, 1], [51]), (0, [2], [20]), (0, [5], [50]), (0, [5, 1], nil),
            (0, [], []), (0, [5, 1], [52]), (1, [0], [0]),
        ]
        for (table, key, value) in writes {
            key.withUnsafeBytes { key in
                if let value {
                    value.withUnsafeBytes { buffer.append(table: table, key: key, value: $0) }
                } else {
                    buffer.append(table: table, key: key, value: nil)
                }
            }
        }
        return buffer
    }

    @Test("forEach hands the writes back as appended; writes are the same as StateWrites")
    func inOrder() {
        let buffer = Self.sample()
        #expect(buffer.count == 8)
        var seen: [StateWrite] = []
        buffer.forEach { index, table, key, value in
            #expect(index == seen.count)
            seen.append(StateWrite(table: buffer.tables[Int(table)], key: Array(key), value: value.map { Array($0) }))
        }
        #expect(seen == buffer.writes)
        #expect(seen.first == StateWrite(table: "u", key: [9], value: [90]))
        #expect(seen[4] == StateWrite(table: "t", key: [5, 1], value: nil))
    }

    @Test("key order: by table, then unsigned bytes (shorter first), a key's writes in their order")
    func keyOrder() {
        let buffer = Self.sample()
        var visited: [(Int, Int32, [UInt8])] = []
        buffer.forEachInKeyOrder { index, table, key, _ in visited.append((index, table, Array(key))) }
        #expect(visited.map(\.0) == [5, 2, 3, 1, 4, 6, 7, 0])
        #expect(visited.map(\.2) == [[], [2], [5], [5, 1], [5, 1], [5, 1], [0], [9]])
    }

    @Test("applied in key order or in order, a store ends up the same", arguments: StoreBackend.allCases)
    func sameEndState(backend: StoreBackend) throws {
        try backend.withStore { store in
            try store.apply(Self.sample(), checkpoint: .empty, partition: 0)
            #expect(try store.entries("t", 0) == [Entry([], []), Entry([2], [20]), Entry([5], [50]), Entry([5, 1], [52])])
            #expect(try store.entries("u", 0) == [Entry([0], [0]), Entry([9], [90])])
        }
    }

    @Test("removeAll empties the buffer for reuse")
    func reuse() {
        var buffer = Self.sample()
        buffer.removeAll()
        #expect(buffer.isEmpty)
        #expect(buffer.byteCount == 0)
        [UInt8(7)].withUnsafeBytes { buffer.append(table: 0, key: $0, value: nil) }
        #expect(buffer.writes == [StateWrite(table: "t", key: [7], value: nil)])
    }
}
