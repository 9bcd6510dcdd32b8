import CRocksDB
import Foundation

extension RocksDBStateStore {
    /// Opens the database in `path` with every column family it has (RocksDB
    /// requires them all), creating it when missing.
    static func open(path: String, options: OpaquePointer)
        throws(StateStoreError) -> (database: OpaquePointer, families: RocksDBColumnFamilies) {
        let names = try existingColumnFamilies(path: path, options: options)
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let namePointers = cNames.map { UnsafePointer($0) }
        let familyOptions = [OpaquePointer?](repeating: options, count: names.count)
        var handles = [OpaquePointer?](repeating: nil, count: names.count)

        var error: UnsafeMutablePointer<CChar>?
        let database = rocksdb_open_column_families(options, path, Int32(names.count), namePointers, familyOptions,
                                                    &handles, &error)
        if let error {
            throw openError(path: path, message: RocksDBCall.take(error))
        }
        guard let database else {
            throw StateStoreError("state store \(path): cannot open (RocksDB returned no database)")
        }
        var families = RocksDBColumnFamilies()
        for (name, handle) in zip(names, handles) {
            guard let handle else { continue }
            let keySpace = RocksDBStateLayout.keySpace(ofColumnFamily: name)
            let family = RocksDBColumnFamily(handle: handle, keySpace: keySpace)
            if let keySpace {
                families.byKeySpace[keySpace] = family
            } else {
                families.others.append(family)
            }
        }
        return (database, families)
    }

    /// The column families of the database in `path`: just the default one
    /// when there is no database there yet.
    private static func existingColumnFamilies(path: String, options: OpaquePointer) throws(StateStoreError) -> [String] {
        // RocksDB's CURRENT file names the live manifest: without it there is no database to list.
        guard FileManager.default.fileExists(atPath: path + "/CURRENT") else {
            return [RocksDBStateLayout.defaultColumnFamily]
        }
        var count = 0
        let list = try RocksDBCall.run(path, "list its column families") { error in
            rocksdb_list_column_families(options, path, &count, error)
        }
        guard let list else { return [RocksDBStateLayout.defaultColumnFamily] }
        defer { rocksdb_list_column_families_destroy(list, count) }
        return (0..<count).compactMap { list[$0].map { String(cString: $0) } }
    }

    /// The error for a failed open: RocksDB's lock file held means another
    /// process (or another store of this process) has the database open.
    private static func openError(path: String, message: String) -> StateStoreError {
        if message.contains("lock hold by current process") {
            return StateStoreError("state store \(path) is already open in this process (RocksDB: \(message))")
        }
        if message.contains("/LOCK") {
            return StateStoreError("state store \(path) is in use by another process (RocksDB: \(message))")
        }
        return StateStoreError("state store \(path): cannot open (RocksDB: \(message))")
    }
}
