import CSluicePlugin
#if canImport(Glibc)
import Glibc
#endif

/// The records of one `memory://` partition, append-only, in RAM.
///
/// Each record is stored once as a ready-made `sluice_message` whose pointers
/// lead into one private allocation holding its key, value and headers. A
/// fetch copies those structs into the batch: no per-message allocation and no
/// payload copy on the consuming side. The memory lives as long as the log.
final class MemoryPartitionLog {
    private(set) var messages: [sluice_message] = []
    private var storages: [UnsafeMutableRawPointer] = []

    deinit {
        for storage in storages { free(storage) }
    }

    /// The offset the next record will get.
    var endOffset: Int64 { Int64(messages.count) }

    /// A record copied into one allocation of its own, ready to be appended:
    /// made before the broker's lock is taken, so producers copy their
    /// records side by side and hold the lock only to place them.
    struct StoredRecord {
        fileprivate let storage: UnsafeMutableRawPointer
        fileprivate let message: sluice_message
    }

    /// Copies `record`'s key, value and headers into one private allocation.
    static func store(_ record: OutgoingRecord) -> StoredRecord {
        let payloadBytes = (record.key?.count ?? 0) + (record.value?.count ?? 0)
            + record.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.count }
        var block = Block(headerCount: record.headers.count, payloadBytes: payloadBytes)
        for (index, header) in record.headers.enumerated() {
            let name = header.name.utf8.withContiguousStorageIfAvailable { block.place(UnsafeRawBufferPointer($0)) }
                ?? block.place(Array(header.name.utf8))
            block.setHeader(index, name: name, nameCount: header.name.utf8.count, value: block.place(header.value),
                            valueCount: header.value.count)
        }
        let key = record.key.map { block.place($0) }
        let value = record.value.map { block.place($0) }
        return block.finish(key: key, keyCount: record.key?.count ?? 0, value: value, valueCount: record.value?.count ?? 0)
    }

    /// Copies a record a plugin handed over in a `produce_batch` call (its
    /// pointers are borrowed for the call) into one private allocation.
    static func store(_ record: sluice_produce_record) -> StoredRecord {
        let headers = UnsafeBufferPointer(start: record.headers, count: record.headers == nil ? 0 : record.header_count)
        let payloadBytes = (record.key == nil ? 0 : record.key_len) + (record.value == nil ? 0 : record.value_len)
            + headers.reduce(0) { $0 + ($1.name == nil ? 0 : $1.name_len) + ($1.value == nil ? 0 : $1.value_len) }
        var block = Block(headerCount: headers.count, payloadBytes: payloadBytes)
        for (index, header) in headers.enumerated() {
            let nameCount = header.name == nil ? 0 : header.name_len
            let valueCount = header.value == nil ? 0 : header.value_len
            block.setHeader(index, name: block.place(UnsafeRawBufferPointer(start: header.name, count: nameCount)), nameCount: nameCount,
                            value: block.place(UnsafeRawBufferPointer(start: header.value, count: valueCount)), valueCount: valueCount)
        }
        let key = record.key.map { block.place(UnsafeRawBufferPointer(start: $0, count: record.key_len)) }
        let value = record.value.map { block.place(UnsafeRawBufferPointer(start: $0, count: record.value_len)) }
        return block.finish(key: key, keyCount: record.key == nil ? 0 : record.key_len,
                            value: value, valueCount: record.value == nil ? 0 : record.value_len)
    }

    /// One record's allocation while it is filled: its header array first, then the bytes.
    private struct Block {
        let storage: UnsafeMutableRawPointer
        let headers: UnsafeMutablePointer<sluice_header>
        let headerCount: Int
        var cursor: UnsafeMutableRawPointer

        init(headerCount: Int, payloadBytes: Int) {
            let headerBytes = MemoryLayout<sluice_header>.stride * headerCount
            // At least one byte so an empty key or value still gets a non-NULL
            // pointer (NULL means "null", not "empty").
            storage = malloc(max(1, headerBytes + payloadBytes))!
            headers = storage.bindMemory(to: sluice_header.self, capacity: headerCount)
            self.headerCount = headerCount
            cursor = storage + headerBytes
        }

        mutating func place(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
            let start = cursor.assumingMemoryBound(to: UInt8.self)
            if let base = bytes.baseAddress, !bytes.isEmpty { cursor.copyMemory(from: base, byteCount: bytes.count) }
            cursor += bytes.count
            return UnsafePointer(start)
        }

        mutating func place(_ bytes: [UInt8]) -> UnsafePointer<UInt8> {
            bytes.withUnsafeBytes { place($0) }
        }

        func setHeader(_ index: Int, name: UnsafePointer<UInt8>, nameCount: Int, value: UnsafePointer<UInt8>, valueCount: Int) {
            (headers + index).initialize(to: sluice_header(
                name: UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self), name_len: nameCount,
                value: value, value_len: valueCount))
        }

        func finish(key: UnsafePointer<UInt8>?, keyCount: Int, value: UnsafePointer<UInt8>?, valueCount: Int) -> StoredRecord {
            StoredRecord(storage: storage, message: sluice_message(
                offset: 0, timestamp_ms: 0, key: key, key_len: keyCount, value: value, value_len: valueCount,
                headers: headerCount == 0 ? nil : UnsafePointer(headers), header_count: headerCount))
        }
    }

    /// Appends `stored` (the log owns it from now on) and returns its offset.
    func append(_ stored: StoredRecord, timestampMilliseconds: Int64) -> Int64 {
        let offset = endOffset
        var message = stored.message
        message.offset = offset
        message.timestamp_ms = timestampMilliseconds
        messages.append(message)
        storages.append(stored.storage)
        return offset
    }

    /// Copies the stored messages from `offset` (at most `limit`) into a new buffer.
    func read(from offset: Int64, limit: Int) -> UnsafeMutableBufferPointer<sluice_message>? {
        let start = Int(offset)
        guard start >= 0, start < messages.count, limit > 0 else { return nil }
        let count = min(limit, messages.count - start)
        let buffer = UnsafeMutableBufferPointer<sluice_message>.allocate(capacity: count)
        messages.withUnsafeBufferPointer { source in
            _ = buffer.initialize(from: source[start..<(start + count)])
        }
        return buffer
    }
}
