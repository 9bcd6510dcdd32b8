/// The open column families of a RocksDB state store (kept behind its lock).
struct RocksDBColumnFamilies {
    /// Each (table, partition)'s column family, found without building its name.
    var byKeySpace: [StateKeySpace: RocksDBColumnFamily] = [:]
    /// The default column family and any whose name is not one of ours: open
    /// because RocksDB opens every column family, closed with the store.
    var others: [RocksDBColumnFamily] = []
    /// Set by `close()`: every later call is refused.
    var closed = false
}
