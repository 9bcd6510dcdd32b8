/// Writes to one partition's tables laid out in a single byte buffer: what a
/// restore collects from the changelogs and hands the store, without an
/// allocation per write (a million restored records would otherwise be two
/// million small arrays).
public struct StateWriteBuffer: Sendable {
    /// Where one write's key and value are in the buffer.
    struct Entry: Sendable {
        var table: Int32
        var keyStart: Int
        var keyCount: Int
        var valueStart: Int
        /// -1: a delete.
        var valueCount: Int
    }

    /// The tables the writes name, by index.
    public let tables: [String]
    private var entries: [Entry] = []
    private var bytes: [UInt8] = []

    /// An empty buffer for writes to `tables`.
    public init(tables: [String]) {
        self.tables = tables
    }

    /// The number of writes.
    public var count: Int { entries.count }
    /// Whether it holds no write.
    public var isEmpty: Bool { entries.isEmpty }
    /// Bytes of keys and values held.
    public var byteCount: Int { bytes.count }

    /// Appends a write of `value` (nil: a delete) under `key` of `tables[table]`.
    public mutating func append(table: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?) {
        let keyStart = bytes.count
        bytes.append(contentsOf: key)
        let valueStart = bytes.count
        if let value { bytes.append(contentsOf: value) }
        entries.append(Entry(table: table, keyStart: keyStart, keyCount: key.count, valueStart: valueStart,
                             valueCount: value?.count ?? -1))
    }

    /// Appends the writes of `other` whose index `include` accepts, in order
    /// (`other` names the same tables).
    public mutating func append(_ other: StateWriteBuffer, where include: (Int) -> Bool) {
        other.forEach { index, table, key, value in
            if include(index) { append(table: table, key: key, value: value) }
        }
    }

    /// Forgets every write, keeping the capacity.
    public mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with each write in order: its index, table index, key and
    /// value (nil: a delete), borrowed for the call.
    public func forEach(
        _ body: (_ index: Int, _ table: Int32, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer?) -> Void
    ) {
        bytes.withUnsafeBytes { base in
            for (index, entry) in entries.enumerated() {
                let key = UnsafeRawBufferPointer(rebasing: base[entry.keyStart..<(entry.keyStart + entry.keyCount)])
                let value = entry.valueCount < 0
                    ? nil : UnsafeRawBufferPointer(rebasing: base[entry.valueStart..<(entry.valueStart + entry.valueCount)])
                body(index, entry.table, key, value)
            }
        }
    }

    /// `forEach` in (table, key) order, the writes of one key in the order
    /// they were appended: applied in turn, the same end state as `forEach`.
    /// A skip list (RocksDB's memtable) takes keys in order at a fraction of
    /// the cost of keys in changelog order: each insert starts where the
    /// last one ended.
    public func forEachInKeyOrder(
        _ body: (_ index: Int, _ table: Int32, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer?) -> Void
    ) {
        bytes.withUnsafeBytes { base in
            func key(_ entry: Entry) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: base[entry.keyStart..<(entry.keyStart + entry.keyCount)])
            }
            var order = Array(entries.indices)
            order.sort { left, right in
                let a = entries[left], b = entries[right]
                if a.table != b.table { return a.table < b.table }
                let byKey = UnsignedByteOrder.compare(key(a), key(b))
                return byKey != 0 ? byKey < 0 : left < right
            }
            for index in order {
                let entry = entries[index]
                let value = entry.valueCount < 0
                    ? nil : UnsafeRawBufferPointer(rebasing: base[entry.valueStart..<(entry.valueStart + entry.valueCount)])
                body(index, entry.table, key(entry), value)
            }
        }
    }

    /// The writes as `StateWrite`s (for stores without a faster way in).
    public var writes: [StateWrite] {
        var writes: [StateWrite] = []
        writes.reserveCapacity(count)
        forEach { _, table, key, value in
            writes.append(StateWrite(table: tables[Int(table)], key: Array(key), value: value.map { Array($0) }))
        }
        return writes
    }
}
