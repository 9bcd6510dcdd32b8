/// Whether the `count` bytes at `one` and at `other` are equal, read only
/// within those two ranges.
///
/// For the keys of JSON objects, a few bytes long, where a call of `memcmp`
/// costs more than the comparison: eight bytes at a time with the last eight
/// overlapping the ones before, two overlapping four-byte reads for four to
/// seven bytes, and the first, middle and last byte for one to three.
@inline(__always)
func bytesEqual(_ one: UnsafeRawPointer, _ other: UnsafeRawPointer, count: Int) -> Bool {
    if count >= 8 {
        var offset = 0
        while offset + 8 < count {
            guard one.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == other.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        return one.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    if count >= 4 {
        return one.loadUnaligned(as: UInt32.self) == other.loadUnaligned(as: UInt32.self)
            && one.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            == other.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
    }
    if count == 0 { return true }
    let middle = count >> 1
    return one.load(as: UInt8.self) == other.load(as: UInt8.self)
        && one.load(fromByteOffset: middle, as: UInt8.self) == other.load(fromByteOffset: middle, as: UInt8.self)
        && one.load(fromByteOffset: count - 1, as: UInt8.self) == other.load(fromByteOffset: count - 1, as: UInt8.self)
}
