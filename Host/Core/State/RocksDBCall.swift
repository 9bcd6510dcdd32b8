import CRocksDB

/// RocksDB's C error convention (a `char **errptr` out-parameter, set to a
/// malloc'd message on failure) turned into a thrown `StateStoreError`.
enum RocksDBCall {
    /// Calls `body` with an error slot; when RocksDB fills it, frees the
    /// message and throws an error naming the store at `path` and `operation`.
    @inline(__always)
    static func run<Result>(
        _ path: String, _ operation: @autoclosure () -> String,
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Result
    ) throws(StateStoreError) -> Result {
        var error: UnsafeMutablePointer<CChar>?
        let result = body(&error)
        if let error {
            throw StateStoreError("state store \(path): cannot \(operation()) (RocksDB: \(take(error)))")
        }
        return result
    }

    /// The message RocksDB returned, its buffer freed.
    static func take(_ message: UnsafeMutablePointer<CChar>) -> String {
        defer { rocksdb_free(message) }
        return String(cString: message)
    }

    /// A pointer RocksDB may read `bytes.count` bytes from: a valid (empty)
    /// string where the buffer has no address, so an empty key is never a null pointer.
    @inline(__always)
    static func bytes(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<CChar> {
        (bytes.baseAddress ?? UnsafeRawPointer(emptyString.utf8Start)).assumingMemoryBound(to: CChar.self)
    }

    private static let emptyString: StaticString = ""
}
