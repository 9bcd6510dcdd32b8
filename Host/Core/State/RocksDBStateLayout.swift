/// Where a RocksDB state store keeps what: the names of its column families
/// and the keys of its checkpoints.
///
/// - Each (table, partition) is the column family `<table>#<partition>`
///   (`orders#3`); a table's name may itself contain `#`, since the partition
///   is read after the last one.
/// - Partition `p`'s checkpoint is the key `checkpoint#<p>` of the default
///   column family, in `StateCheckpointEncoding`'s binary form.
enum RocksDBStateLayout {
    /// RocksDB's own column family, where checkpoints live.
    static let defaultColumnFamily = "default"

    /// The column family of `keySpace`.
    static func columnFamilyName(of keySpace: StateKeySpace) -> String {
        "\(keySpace.table)#\(keySpace.partition)"
    }

    /// The key space a column family holds, nil when the name is not one of ours.
    static func keySpace(ofColumnFamily name: String) -> StateKeySpace? {
        guard name != defaultColumnFamily, let separator = name.lastIndex(of: "#"),
              let partition = Int32(name[name.index(after: separator)...]) else { return nil }
        return StateKeySpace(table: String(name[..<separator]), partition: partition)
    }

    /// The key of `partition`'s checkpoint in the default column family.
    static func checkpointKey(partition: Int32) -> [UInt8] {
        Array("checkpoint#\(partition)".utf8)
    }
}
