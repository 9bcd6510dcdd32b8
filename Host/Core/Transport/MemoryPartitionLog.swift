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
        let headerBytes = MemoryLayout<sluice_header>.stride * record.headers.count
        let payloadBytes = (record.key?.count ?? 0) + (record.value?.count ?? 0)
            + record.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.count }
        // One block per record; at least one byte so an empty key or value still
        // gets a non-NULL pointer (NULL means "null", not "empty").
        let storage = malloc(max(1, headerBytes + payloadBytes))!
        var cursor = storage + headerBytes

        func place(_ bytes: [UInt8]) -> UnsafePointer<UInt8> {
            let start = cursor.assumingMemoryBound(to: UInt8.self)
            bytes.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress { cursor.copyMemory(from: base, byteCount: buffer.count) }
            }
            cursor += bytes.count
            return UnsafePointer(start)
        }

        let headers = storage.bindMemory(to: sluice_header.self, capacity: record.headers.count)
        for (index, header) in record.headers.enumerated() {
            let nameBytes = Array(header.name.utf8)
            let name = UnsafeRawPointer(place(nameBytes)).assumingMemoryBound(to: CChar.self)
            let value = place(header.value)
            (headers + index).initialize(to: sluice_header(
                name: name, name_len: nameBytes.count, value: value, value_len: header.value.count))
        }
        let key = record.key.map(place)
        let value = record.value.map(place)
        return StoredRecord(storage: storage, message: sluice_message(
            offset: 0, timestamp_ms: 0,
            key: key, key_len: record.key?.count ?? 0,
            value: value, value_len: record.value?.count ?? 0,
            headers: record.headers.isEmpty ? nil : UnsafePointer(headers),
            header_count: record.headers.count))
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
