extension JSONTape {
    /// The keys of a flat top-level object, in order, kept by a tape so that
    /// the next record of the same shape compares its keys instead of
    /// scanning them (see ``JSONTape``).
    ///
    /// A key learned here came from a string without escapes, so it holds no
    /// quote, backslash or control character: wherever its bytes stand
    /// between two quotes in a text, a full parse reads exactly this key there.
    ///
    /// Raw memory rather than arrays: the parse reads it for every member of
    /// every record, and the arrays' reference counting and bounds checks
    /// cost more than comparing the keys. The tape's storage owns it
    /// (``deallocate()``).
    struct FlatShape {
        /// Objects with more members are not learned: a record that wide is
        /// rarely flat, and the keys would cost more to keep than to scan.
        static let maximumKeys = 64

        /// The keys' bytes, one after another.
        private var keyBytes: UnsafeMutablePointer<UInt8>
        private var keyCapacity: Int
        /// Where each key ends in ``keyBytes``; key i starts where key i-1 ends.
        private let keyEnds: UnsafeMutablePointer<Int>
        private(set) var count = 0
        /// Whether the keys are known to differ from one another (two keys
        /// alike to a quick check count as the same: false is always safe).
        private(set) var keysDistinct = false

        init() {
            keyCapacity = 256
            keyBytes = .allocate(capacity: keyCapacity)
            keyEnds = .allocate(capacity: Self.maximumKeys)
        }

        func deallocate() {
            keyBytes.deallocate()
            keyEnds.deallocate()
        }

        var isEmpty: Bool { count == 0 }

        /// Keeps the keys of `entries` (a parsed tape) when its top-level
        /// value is a flat object; forgets the shape otherwise. Returns
        /// whether the shape is the one already kept.
        @discardableResult
        mutating func learn(from entries: UnsafeBufferPointer<Entry>, bytes: UnsafeRawBufferPointer) -> Bool {
            // A nested value would have entries of its own: one entry per member means all are scalars.
            guard let top = entries.first, top.value.kind == .object,
                  (1...Self.maximumKeys).contains(top.childCount), entries.count == top.childCount + 1,
                  let source = bytes.baseAddress,
                  entries.dropFirst().allSatisfy({ !$0.keyEscaped }) else {
                count = 0
                return false
            }
            let members = entries.dropFirst()
            if count == members.count, zip(members, 0...).allSatisfy({ member, index in
                matchKey(index, in: bytes, quoteAt: member.key.lowerBound - 1) != nil
            }) { return true }
            let total = members.reduce(0) { $0 + $1.key.count }
            if total > keyCapacity {
                keyBytes.deallocate()
                keyCapacity = max(total, keyCapacity * 2)
                keyBytes = .allocate(capacity: keyCapacity)
            }
            var end = 0
            // One of 64 bits per key (its length and its first and last bytes): keys with
            // different bits differ, so no two alike means the keys are distinct.
            var seen: UInt64 = 0
            keysDistinct = true
            for (index, member) in zip(0..., members) {
                let length = member.key.count
                if length > 0 {
                    (keyBytes + end).initialize(from: (source + member.key.lowerBound).assumingMemoryBound(to: UInt8.self),
                                                count: length)
                }
                let hash = length == 0 ? 0 : length &* 7 &+ Int(keyBytes[end]) &* 3 &+ Int(keyBytes[end + length - 1])
                let bit: UInt64 = 1 << UInt64(hash & 63)
                if seen & bit != 0 { keysDistinct = false }
                seen |= bit
                end += length
                keyEnds[index] = end
            }
            count = members.count
            return false
        }

        /// The range between the quotes when the string whose opening quote
        /// is at `quote` in `bytes` is exactly key `index` (< ``count``); nil otherwise.
        @inline(__always)
        func matchKey(_ index: Int, in bytes: UnsafeRawBufferPointer, quoteAt quote: Int) -> Range<Int>? {
            let start = index == 0 ? 0 : keyEnds[index - 1]
            let length = keyEnds[index] - start
            let first = quote + 1
            guard first + length < bytes.count, let base = bytes.baseAddress,
                  base.load(fromByteOffset: quote, as: UInt8.self) == UInt8(ascii: "\""),
                  base.load(fromByteOffset: first + length, as: UInt8.self) == UInt8(ascii: "\""),
                  bytesEqual(UnsafeRawPointer(keyBytes + start), base + first, count: length) else { return nil }
            return first..<(first + length)
        }
    }
}
