/// How much memory and log a RocksDB state store may hold before RocksDB
/// flushes to its table files.
///
/// Every (table, partition) is a column family with memtables of its own: the
/// shared budget keeps an agent with many partitions from holding a full
/// memtable per column family.
public struct RocksDBStateStoreSettings: Sendable, Equatable {
    /// The memtables of all column families together (RocksDB's
    /// `db_write_buffer_size`); past it, RocksDB flushes the largest.
    public var writeBufferBytes: Int
    /// The write-ahead log's total size (`max_total_wal_size`) past which the
    /// column families that keep its oldest file alive are flushed.
    public var maxWriteAheadLogBytes: Int

    /// The settings; the defaults suit an agent of a few dozen partitions.
    public init(writeBufferBytes: Int = 64 << 20, maxWriteAheadLogBytes: Int = 256 << 20) {
        self.writeBufferBytes = writeBufferBytes
        self.maxWriteAheadLogBytes = maxWriteAheadLogBytes
    }
}
