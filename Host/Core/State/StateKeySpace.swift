/// One key space of a state store: a table of one partition.
///
/// Small and hashable, so a store finds a key space's storage (a RocksDB column
/// family, a sorted map) by dictionary lookup without building a string per call.
public struct StateKeySpace: Hashable, Sendable, CustomStringConvertible {
    /// The table.
    public var table: String
    /// The input partition.
    public var partition: Int32

    /// The key space of `table` in `partition`.
    public init(table: String, partition: Int32) {
        self.table = table
        self.partition = partition
    }

    /// `table#partition`, as operators and RocksDB's column families name it.
    public var description: String { "\(table)#\(partition)" }
}
