/// An agent's local store of tables: what its partitions' state is now, and
/// how far each partition's state has been made durable.
///
/// One store per stateful agent. Within it, every (table, partition) pair is
/// its own key space (a RocksDB column family on `kafka://`; a sorted map in
/// memory on `memory://` and in unit tests). Keys and values are raw bytes,
/// ordered by unsigned byte comparison.
///
/// Writes only arrive through `apply`, which stores a partition's writes and
/// its checkpoint in one atomic step: after a crash the store holds either
/// both or neither. Every method may be called from any thread; calls for
/// different partitions may run concurrently. The closures of `withValue`
/// and `scan` run with no lock of the store held, so they may call it; a
/// scan sees the table as it was when the scan began.
///
/// Back ends: `MemoryStateStore`, `RocksDBStateStore`.
public protocol StateStore: AnyObject, Sendable {
    /// Calls `body` with the value of `key` in `table` of `partition`, if
    /// there is one, and returns whether there was. The bytes are borrowed for
    /// the call.
    func withValue(table: String, partition: Int32, key: UnsafeRawBufferPointer,
                   _ body: (UnsafeRawBufferPointer) -> Void) throws(StateStoreError) -> Bool

    /// Visits the entries of `table` in `partition` with `start <= key < end`
    /// in ascending order (`start` nil: from the first key; `end` nil: to the
    /// last), until `visit` returns false or `limit` entries were visited
    /// (0: no limit). Returns how many were visited.
    @discardableResult
    func scan(table: String, partition: Int32, from start: [UInt8]?, to end: [UInt8]?, limit: Int,
              _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws(StateStoreError) -> Int

    /// Stores `writes` (in order; a nil value deletes) and `checkpoint` for
    /// `partition` atomically.
    func apply(_ writes: [StateWrite], checkpoint: StateCheckpoint, partition: Int32) throws(StateStoreError)

    /// `apply` for writes laid out in a buffer (what a restore collects).
    /// A default converts them to `StateWrite`s.
    func apply(_ writes: StateWriteBuffer, checkpoint: StateCheckpoint, partition: Int32) throws(StateStoreError)

    /// The partition's last checkpoint, or nil when the store has none for it.
    func checkpoint(partition: Int32) throws(StateStoreError) -> StateCheckpoint?

    /// Forgets everything the store holds for `partition` (its tables and its
    /// checkpoint), before it is restored from scratch.
    func drop(partition: Int32) throws(StateStoreError)

    /// Releases the store's files. No call may follow.
    func close()
}

extension StateStore {
    public func apply(_ writes: StateWriteBuffer, checkpoint: StateCheckpoint, partition: Int32) throws(StateStoreError) {
        try apply(writes.writes, checkpoint: checkpoint, partition: partition)
    }
}

/// One staged change to a table: `value` nil deletes `key`.
public struct StateWrite: Sendable, Equatable {
    /// The table.
    public var table: String
    /// The key.
    public var key: [UInt8]
    /// The new value, or nil to delete the key.
    public var value: [UInt8]?

    /// A write of `value` (nil: a delete) under `key` of `table`.
    public init(table: String, key: [UInt8], value: [UInt8]?) {
        self.table = table
        self.key = key
        self.value = value
    }
}

/// How far a partition's state is applied in the local store: written in the
/// same atomic step as the state it describes.
public struct StateCheckpoint: Sendable, Equatable {
    /// The last source offset whose records' writes are applied (-1: none yet).
    public var appliedOffset: Int64
    /// The sequence number of the last sealed group of writes (0: none yet).
    public var sealSequence: UInt64
    /// Per table, the changelog offset to read from to catch up: one past the
    /// last changelog record this store reflects.
    public var changelogPositions: [String: Int64]

    /// A checkpoint.
    public init(appliedOffset: Int64, sealSequence: UInt64, changelogPositions: [String: Int64]) {
        self.appliedOffset = appliedOffset
        self.sealSequence = sealSequence
        self.changelogPositions = changelogPositions
    }

    /// The checkpoint of a partition that has no state yet.
    public static let empty = StateCheckpoint(appliedOffset: -1, sealSequence: 0, changelogPositions: [:])
}

/// Why the local store refused a call: names the store, the operation and the cause.
public struct StateStoreError: Error, CustomStringConvertible, Sendable {
    /// One line for operators.
    public let description: String

    /// An error with its operator-facing line.
    public init(_ description: String) {
        self.description = description
    }
}
