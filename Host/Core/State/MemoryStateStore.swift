import Synchronization

/// The state store of `memory://` and of unit tests: every (table, partition)
/// a sorted map in memory, behind one lock. Nothing survives the process.
///
/// Keys are ordered by unsigned byte comparison, as in `RocksDBStateStore`.
/// `withValue` and `scan` call their closures outside the lock, on values
/// taken under it, so a closure may call the store (a scan sees the table as
/// it was when the scan began, like a RocksDB iterator).
public final class MemoryStateStore: StateStore {
    /// What the store holds.
    private struct Contents: Sendable {
        var partitions: [Int32: Partition] = [:]
        var closed = false
    }

    /// One partition's tables and checkpoint.
    private struct Partition: Sendable {
        var tables: [String: SortedByteMap] = [:]
        var checkpoint: StateCheckpoint?
    }

    /// How errors name this store (there is no path).
    public let name: String
    private let contents = Mutex(Contents())

    /// An empty store; `name` appears in its errors (an agent's name, say).
    public init(name: String = "memory") {
        self.name = name
    }

    public func withValue(table: String, partition: Int32, key: UnsafeRawBufferPointer,
                          _ body: (UnsafeRawBufferPointer) -> Void) throws(StateStoreError) -> Bool {
        let value = try locked("get") { contents in
            contents.partitions[partition]?.tables[table]?.value(of: key)
        }
        guard let value else { return false }
        value.withUnsafeBytes(body)
        return true
    }

    @discardableResult
    public func scan(table: String, partition: Int32, from start: [UInt8]?, to end: [UInt8]?, limit: Int,
                     _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws(StateStoreError) -> Int {
        let snapshot = try locked("scan") { contents in contents.partitions[partition]?.tables[table] }
        guard let snapshot else { return 0 }
        var index = start.map { bound in bound.withUnsafeBytes { snapshot.firstIndex(notBefore: $0) } } ?? 0
        var visited = 0
        while index < snapshot.count {
            let key = snapshot.keys[index]
            if let end, !UnsignedByteOrder.precedes(key, end) { break }
            visited += 1
            let goOn = key.withUnsafeBytes { keyBytes in
                snapshot.values[index].withUnsafeBytes { valueBytes in visit(keyBytes, valueBytes) }
            }
            if !goOn || visited == limit { break }
            index += 1
        }
        return visited
    }

    public func apply(_ writes: [StateWrite], checkpoint: StateCheckpoint, partition: Int32) throws(StateStoreError) {
        try locked("apply") { contents in
            // In place (the default subscripts modify the stored maps), so a
            // write copies nothing unless a scan still holds the table.
            for write in writes {
                contents.partitions[partition, default: Partition()]
                    .tables[write.table, default: SortedByteMap()].set(write.key, to: write.value)
            }
            contents.partitions[partition, default: Partition()].checkpoint = checkpoint
        }
    }

    public func checkpoint(partition: Int32) throws(StateStoreError) -> StateCheckpoint? {
        try locked("read the checkpoint") { contents in contents.partitions[partition]?.checkpoint }
    }

    public func drop(partition: Int32) throws(StateStoreError) {
        try locked("drop") { contents in _ = contents.partitions.removeValue(forKey: partition) }
    }

    public func close() {
        contents.withLock { contents in
            contents.partitions = [:]
            contents.closed = true
        }
    }

    /// Runs `body` under the lock, refusing once the store is closed.
    private func locked<Value: Sendable>(_ operation: String,
                                         _ body: (inout Contents) -> Value) throws(StateStoreError) -> Value {
        let result: Value? = contents.withLock { contents in
            contents.closed ? nil : body(&contents)
        }
        guard let result else {
            throw StateStoreError("state store \(name): cannot \(operation): the store is closed")
        }
        return result
    }
}
