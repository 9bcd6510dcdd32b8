import CSluicePlugin

/// The keys of one batch's messages, copied into one buffer when the batch
/// starts: a ``Record`` points into it instead of owning an array of its own,
/// so a batch of N keyed records costs one allocation for its keys, not N.
/// Records keep the buffer alive, so one kept past its batch stays valid.
@usableFromInline
final class BatchKeys: Sendable {
    /// Every non-null key of the batch, back to back, in message order.
    let bytes: [UInt8]
    /// Where message `index`'s key lies in ``bytes``; nil for a null key.
    private let ranges: [Range<Int>?]

    /// Copies the keys of `batch`'s messages.
    init(_ batch: BorrowedBatch) {
        let count = batch.count
        var total = 0
        for index in 0..<count { total += batch.message(at: index).raw.pointee.key_len }
        var ranges: [Range<Int>?] = []
        ranges.reserveCapacity(count)
        bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            var cursor = 0
            for index in 0..<count {
                guard let key = batch.message(at: index).key else { ranges.append(nil); continue }
                if !key.isEmpty {
                    UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + cursor, count: key.count).copyMemory(from: key)
                }
                ranges.append(cursor..<(cursor + key.count))
                cursor += key.count
            }
            initialized = cursor
        }
        self.ranges = ranges
    }

    /// Message `index`'s key as a ``Record`` keeps it.
    @usableFromInline func storage(at index: Int) -> RecordKeyStorage {
        if let range = ranges[index] { .batch(self, range) } else { .owned(nil) }
    }
}
