import CRocksDB
import Logging
import Synchronization

/// The state store of `kafka://`: one RocksDB database per stateful agent,
/// in a directory of its own (the runtime gives `<data_directory>/state/<agent>`).
///
/// Layout (`RocksDBStateLayout`): every (table, partition) is a column family
/// `<table>#<partition>`, created on its first write; each partition's
/// checkpoint is the key `checkpoint#<partition>` of the default column family.
///
/// Durability: `apply` writes a partition's changes and its checkpoint as one
/// write batch, through the write-ahead log but without fsync. A process crash
/// loses nothing that `apply` returned from; a machine crash may lose the
/// newest batches, all of a batch or none of it, the checkpoint included, so
/// the runtime replays them from the changelog from the checkpoint it finds.
///
/// Thread safety: RocksDB's calls are thread-safe; the map of open column
/// families is behind a lock held only for a dictionary lookup (or while a
/// missing column family is created).
public final class RocksDBStateStore: StateStore, @unchecked Sendable {
    // @unchecked: the C handles below are used concurrently, which RocksDB
    // allows; the only mutable state (the column families) is in a Mutex.

    /// The database's directory.
    public let path: String
    private let database: OpaquePointer
    /// The database's and every column family's options.
    private let options: OpaquePointer
    /// Shared by every point read (RocksDB only reads them).
    private let readOptions: OpaquePointer
    /// `apply`'s: write-ahead log on, no fsync.
    private let writeOptions: OpaquePointer
    /// `drop`'s checkpoint delete: synced, so a machine crash cannot bring
    /// back a checkpoint whose column families are gone.
    private let syncedWriteOptions: OpaquePointer
    private let columnFamilies: Mutex<RocksDBColumnFamilies>
    private let logger: Logger

    /// Opens (creating if missing) the database in `path` and its parent
    /// directories, with every column family it already has; `settings`
    /// bound its memtables and write-ahead log.
    ///
    /// Throws when the directory cannot be created, when another process (or
    /// another store in this one) has the database open, or when RocksDB refuses.
    public init(path: String, settings: RocksDBStateStoreSettings = RocksDBStateStoreSettings(),
                logger: Logger = Logger(label: "sluice.state")) throws(StateStoreError) {
        self.path = path
        self.logger = logger
        try StateDirectory.create(path)

        let options = rocksdb_options_create()!
        rocksdb_options_set_create_if_missing(options, 1)
        rocksdb_options_set_create_missing_column_families(options, 1)
        // RocksDB's info log rolls over on every open; a few are enough to read back.
        rocksdb_options_set_keep_log_file_num(options, 4)
        rocksdb_options_set_db_write_buffer_size(options, settings.writeBufferBytes)
        rocksdb_options_set_max_total_wal_size(options, UInt64(settings.maxWriteAheadLogBytes))
        let opened: (database: OpaquePointer, families: RocksDBColumnFamilies)
        do throws(StateStoreError) {
            opened = try Self.open(path: path, options: options)
        } catch {
            rocksdb_options_destroy(options)
            throw error
        }
        let writeOptions = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_set_sync(writeOptions, 0)
        rocksdb_writeoptions_disable_WAL(writeOptions, 0)
        let syncedWriteOptions = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_set_sync(syncedWriteOptions, 1)
        self.options = options
        self.database = opened.database
        self.columnFamilies = Mutex(opened.families)
        self.readOptions = rocksdb_readoptions_create()
        self.writeOptions = writeOptions
        self.syncedWriteOptions = syncedWriteOptions
        logger.info("state store opened", metadata: [
            "state.path": "\(path)", "state.key_spaces": "\(opened.families.byKeySpace.count)",
        ])
    }

    deinit {
        close()
    }

    /// The (table, partition) key spaces the store holds, in no particular order.
    public var keySpaces: [StateKeySpace] {
        columnFamilies.withLock { Array($0.byKeySpace.keys) }
    }

    // MARK: Reads

    public func withValue(table: String, partition: Int32, key: UnsafeRawBufferPointer,
                          _ body: (UnsafeRawBufferPointer) -> Void) throws(StateStoreError) -> Bool {
        guard let family = try existingFamily(StateKeySpace(table: table, partition: partition), "get") else {
            return false
        }
        // Pinned: the value is borrowed from RocksDB's block cache or memtable, not copied out.
        let pinned = try RocksDBCall.run(path, "get a key of \(table)#\(partition)") { error in
            rocksdb_get_pinned_cf(database, readOptions, family.handle, RocksDBCall.bytes(key), key.count, error)
        }
        guard let pinned else { return false }
        defer { rocksdb_pinnableslice_destroy(pinned) }
        var length = 0
        let value = rocksdb_pinnableslice_value(pinned, &length)
        body(UnsafeRawBufferPointer(start: value, count: length))
        return true
    }

    @discardableResult
    public func scan(table: String, partition: Int32, from start: [UInt8]?, to end: [UInt8]?, limit: Int,
                     _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws(StateStoreError) -> Int {
        let keySpace = StateKeySpace(table: table, partition: partition)
        guard let family = try existingFamily(keySpace, "scan") else { return 0 }
        // An empty upper bound, or one not above the lower, holds nothing (and
        // RocksDB would read an empty bound as none).
        if let end, end.isEmpty || !UnsignedByteOrder.precedes(start ?? [], end) { return 0 }

        // The bounds are borrowed by the read options, so they stay alive for the iterator's life.
        let (visited, failure) = (start ?? []).withUnsafeBytes { lower in
            (end ?? []).withUnsafeBytes { upper in
                iterate(family, lower: lower, upper: end == nil ? nil : upper, limit: limit, visit)
            }
        }
        if let failure {
            throw StateStoreError("state store \(path): cannot scan \(keySpace) (RocksDB: \(failure))")
        }
        return visited
    }

    /// Visits `family` from `lower` (empty: the first key) to before `upper`
    /// (nil: the end); returns the count and RocksDB's error, if any.
    private func iterate(_ family: RocksDBColumnFamily, lower: UnsafeRawBufferPointer, upper: UnsafeRawBufferPointer?,
                         limit: Int, _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) -> (Int, String?) {
        let scanOptions = rocksdb_readoptions_create()
        defer { rocksdb_readoptions_destroy(scanOptions) }
        if !lower.isEmpty {
            rocksdb_readoptions_set_iterate_lower_bound(scanOptions, RocksDBCall.bytes(lower), lower.count)
        }
        if let upper {
            rocksdb_readoptions_set_iterate_upper_bound(scanOptions, RocksDBCall.bytes(upper), upper.count)
        }
        let iterator = rocksdb_create_iterator_cf(database, scanOptions, family.handle)
        defer { rocksdb_iter_destroy(iterator) }
        if lower.isEmpty {
            rocksdb_iter_seek_to_first(iterator)
        } else {
            rocksdb_iter_seek(iterator, RocksDBCall.bytes(lower), lower.count)
        }
        var visited = 0
        while rocksdb_iter_valid(iterator) != 0 {
            var keyLength = 0
            var valueLength = 0
            let key = rocksdb_iter_key(iterator, &keyLength)
            let value = rocksdb_iter_value(iterator, &valueLength)
            visited += 1
            let goOn = visit(UnsafeRawBufferPointer(start: key, count: keyLength),
                             UnsafeRawBufferPointer(start: value, count: valueLength))
            if !goOn || visited == limit { break }
            rocksdb_iter_next(iterator)
        }
        var error: UnsafeMutablePointer<CChar>?
        rocksdb_iter_get_error(iterator, &error)
        return (visited, error.map(RocksDBCall.take))
    }

    public func checkpoint(partition: Int32) throws(StateStoreError) -> StateCheckpoint? {
        try checkOpen("read the checkpoint of partition \(partition)")
        let key = RocksDBStateLayout.checkpointKey(partition: partition)
        let pinned = try RocksDBCall.run(path, "read the checkpoint of partition \(partition)") { error in
            key.withUnsafeBytes { key in
                rocksdb_get_pinned(database, readOptions, RocksDBCall.bytes(key), key.count, error)
            }
        }
        guard let pinned else { return nil }
        defer { rocksdb_pinnableslice_destroy(pinned) }
        var length = 0
        let bytes = rocksdb_pinnableslice_value(pinned, &length)
        guard let checkpoint = StateCheckpointEncoding.decode(UnsafeRawBufferPointer(start: bytes, count: length)) else {
            throw StateStoreError("state store \(path): the checkpoint of partition \(partition) is unreadable (\(length) bytes, not a version-\(StateCheckpointEncoding.version) checkpoint)")
        }
        return checkpoint
    }

    // MARK: Writes

    public func apply(_ writes: [StateWrite], checkpoint: StateCheckpoint, partition: Int32) throws(StateStoreError) {
        let targets = try familiesForWriting(writes, partition: partition)
        let batch = rocksdb_writebatch_create()
        defer { rocksdb_writebatch_destroy(batch) }
        // In (table, key) order, a key's writes in their order: the same end
        // state, and the memtable inserts sorted keys far more cheaply.
        let order = writes.indices.sorted { left, right in
            let a = writes[left], b = writes[right]
            if a.table != b.table { return a.table < b.table }
            let byKey = a.key.withUnsafeBytes { x in b.key.withUnsafeBytes { y in UnsignedByteOrder.compare(x, y) } }
            return byKey != 0 ? byKey < 0 : left < right
        }
        for index in order {
            let write = writes[index]
            // No column family: the table never held a key, so a delete has nothing to do.
            guard let family = targets[index] else { continue }
            write.key.withUnsafeBytes { key in
                if let value = write.value {
                    value.withUnsafeBytes { value in
                        rocksdb_writebatch_put_cf(batch, family.handle, RocksDBCall.bytes(key), key.count,
                                                  RocksDBCall.bytes(value), value.count)
                    }
                } else {
                    rocksdb_writebatch_delete_cf(batch, family.handle, RocksDBCall.bytes(key), key.count)
                }
            }
        }
        try write(batch, checkpoint: checkpoint, partition: partition, what: "apply \(writes.count) writes")
    }

    /// Puts the buffer's bytes straight into one write batch, in key order:
    /// no copy per write on the way, and cheap memtable inserts (what makes a
    /// restore fast).
    public func apply(_ writes: StateWriteBuffer, checkpoint: StateCheckpoint, partition: Int32) throws(StateStoreError) {
        let targets = try families(of: writes, partition: partition)
        let batch = rocksdb_writebatch_create()
        defer { rocksdb_writebatch_destroy(batch) }
        writes.forEachInKeyOrder { _, table, key, value in
            guard let family = targets[Int(table)] else { return }
            if let value {
                rocksdb_writebatch_put_cf(batch, family.handle, RocksDBCall.bytes(key), key.count,
                                          RocksDBCall.bytes(value), value.count)
            } else {
                rocksdb_writebatch_delete_cf(batch, family.handle, RocksDBCall.bytes(key), key.count)
            }
        }
        try write(batch, checkpoint: checkpoint, partition: partition, what: "apply \(writes.count) restored writes")
    }

    /// Adds `checkpoint` to `batch` and writes it.
    private func write(_ batch: OpaquePointer?, checkpoint: StateCheckpoint, partition: Int32,
                       what: @autoclosure () -> String) throws(StateStoreError) {
        let checkpointKey = RocksDBStateLayout.checkpointKey(partition: partition)
        let checkpointValue = StateCheckpointEncoding.encode(checkpoint)
        checkpointKey.withUnsafeBytes { key in
            checkpointValue.withUnsafeBytes { value in
                rocksdb_writebatch_put(batch, RocksDBCall.bytes(key), key.count, RocksDBCall.bytes(value), value.count)
            }
        }
        try RocksDBCall.run(path, "\(what()) to partition \(partition)") { error in
            rocksdb_write(database, writeOptions, batch, error)
        }
    }

    /// Deletes the checkpoint first (synced), then drops the column families:
    /// a crash in between leaves a partition without a checkpoint, which the
    /// runtime restores from scratch (dropping it again first).
    public func drop(partition: Int32) throws(StateStoreError) {
        let key = RocksDBStateLayout.checkpointKey(partition: partition)
        try columnFamilies.withLock { families throws(StateStoreError) in
            guard !families.closed else { throw closedError("drop partition \(partition)") }
            try RocksDBCall.run(path, "delete the checkpoint of partition \(partition)") { error in
                key.withUnsafeBytes { key in
                    rocksdb_delete(database, syncedWriteOptions, RocksDBCall.bytes(key), key.count, error)
                }
            }
            for (keySpace, family) in families.byKeySpace where keySpace.partition == partition {
                try RocksDBCall.run(path, "drop column family \(keySpace)") { error in
                    rocksdb_drop_column_family(database, family.handle, error)
                }
                // A read still holding the family finishes on it; the handle goes with the last reference.
                families.byKeySpace[keySpace] = nil
            }
        }
        logger.info("state store dropped a partition", metadata: ["state.path": "\(path)", "state.partition": "\(partition)"])
    }

    public func close() {
        let wasOpen = columnFamilies.withLock { families in
            guard !families.closed else { return false }
            families.closed = true
            // Releasing the families destroys their handles, which must precede rocksdb_close.
            families.byKeySpace = [:]
            families.others = []
            return true
        }
        guard wasOpen else { return }
        rocksdb_close(database)
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_writeoptions_destroy(writeOptions)
        rocksdb_writeoptions_destroy(syncedWriteOptions)
        rocksdb_options_destroy(options)
        logger.info("state store closed", metadata: ["state.path": "\(path)"])
    }

    // MARK: Column families

    /// The open column family of `keySpace`, nil when it has none yet.
    @inline(__always)
    private func existingFamily(_ keySpace: StateKeySpace, _ operation: @autoclosure () -> String)
        throws(StateStoreError) -> RocksDBColumnFamily? {
        try columnFamilies.withLock { families throws(StateStoreError) in
            guard !families.closed else { throw closedError(operation()) }
            return families.byKeySpace[keySpace]
        }
    }

    /// The column family of each write, created for a put when missing; nil for
    /// a delete in a table that has none (nothing to delete).
    private func familiesForWriting(_ writes: [StateWrite], partition: Int32)
        throws(StateStoreError) -> [RocksDBColumnFamily?] {
        try columnFamilies.withLock { families throws(StateStoreError) in
            guard !families.closed else { throw closedError("apply writes to partition \(partition)") }
            var targets: [RocksDBColumnFamily?] = []
            targets.reserveCapacity(writes.count)
            for write in writes {
                if let previous = targets.last, let previous, previous.keySpace?.table == write.table {
                    targets.append(previous)
                    continue
                }
                targets.append(try family(write.table, partition, creating: write.value != nil, in: &families))
            }
            return targets
        }
    }

    /// The column family of each of the buffer's tables that it writes,
    /// created for a table it puts into; nil for a table it only deletes
    /// from and that has none (nothing to delete).
    private func families(of writes: StateWriteBuffer, partition: Int32)
        throws(StateStoreError) -> [RocksDBColumnFamily?] {
        var puts = [Bool](repeating: false, count: writes.tables.count)
        writes.forEach { _, table, _, value in if value != nil { puts[Int(table)] = true } }
        return try columnFamilies.withLock { families throws(StateStoreError) in
            guard !families.closed else { throw closedError("apply writes to partition \(partition)") }
            var targets: [RocksDBColumnFamily?] = []
            for (index, table) in writes.tables.enumerated() {
                targets.append(try family(table, partition, creating: puts[index], in: &families))
            }
            return targets
        }
    }

    /// The column family of `table` in `partition`: the open one, else (when
    /// `creating`) a new one, else nil. Under the caller's lock.
    private func family(_ table: String, _ partition: Int32, creating: Bool,
                        in families: inout RocksDBColumnFamilies) throws(StateStoreError) -> RocksDBColumnFamily? {
        let keySpace = StateKeySpace(table: table, partition: partition)
        if let family = families.byKeySpace[keySpace] { return family }
        guard creating else { return nil }
        let family = try createFamily(keySpace)
        families.byKeySpace[keySpace] = family
        return family
    }

    /// Creates the column family of `keySpace` (under the caller's lock, so it is created once).
    private func createFamily(_ keySpace: StateKeySpace) throws(StateStoreError) -> RocksDBColumnFamily {
        let name = RocksDBStateLayout.columnFamilyName(of: keySpace)
        let handle = try RocksDBCall.run(path, "create column family \(name)") { error in
            rocksdb_create_column_family(database, options, name, error)
        }
        guard let handle else {
            throw StateStoreError("state store \(path): cannot create column family \(name) (RocksDB returned no handle)")
        }
        logger.debug("state store created a column family", metadata: ["state.path": "\(path)", "state.column_family": "\(name)"])
        return RocksDBColumnFamily(handle: handle, keySpace: keySpace)
    }

    private func checkOpen(_ operation: @autoclosure () -> String) throws(StateStoreError) {
        let closed = columnFamilies.withLock { $0.closed }
        if closed { throw closedError(operation()) }
    }

    private func closedError(_ operation: String) -> StateStoreError {
        StateStoreError("state store \(path): cannot \(operation): the store is closed")
    }
}
