import CRocksDB

/// An open column family: one (table, partition) key space of a RocksDB
/// state store, or the default column family (checkpoints).
///
/// A class so that a call holding it keeps the handle alive: when a partition
/// is dropped while a read of it is under way, RocksDB lets the read finish on
/// the dropped column family, and the handle is destroyed with the last reference.
final class RocksDBColumnFamily: @unchecked Sendable {
    /// RocksDB's handle (thread-safe; destroyed once, in deinit).
    let handle: OpaquePointer
    /// The key space it holds, nil for the default column family or a name the store does not know.
    let keySpace: StateKeySpace?

    init(handle: OpaquePointer, keySpace: StateKeySpace?) {
        self.handle = handle
        self.keySpace = keySpace
    }

    deinit {
        rocksdb_column_family_handle_destroy(handle)
    }
}
