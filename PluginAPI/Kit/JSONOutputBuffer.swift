/// A growable byte buffer that one JSON writer owns and appends to.
///
/// It is not copyable, so an append checks only the capacity: an `[UInt8]`
/// also checks on every append that its storage is not shared with a copy,
/// and a writer appends a few bytes at a time, dozens of times per value.
/// ``JSONText`` and ``NumberText`` write into it as they write into arrays.
public struct JSONOutputBuffer: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var storedCount = 0

    /// An empty buffer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// How many bytes the buffer holds.
    @inlinable public var count: Int { storedCount }

    /// Whether the buffer holds no byte.
    @inlinable public var isEmpty: Bool { storedCount == 0 }

    /// Appends one byte.
    @inlinable
    public mutating func append(_ byte: UInt8) {
        if storedCount == capacity { grow(toHold: 1) }
        base[storedCount] = byte
        storedCount &+= 1
    }

    /// Appends `bytes`.
    @inlinable
    public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if capacity - storedCount < bytes.count { grow(toHold: bytes.count) }
        UnsafeMutableRawPointer(base + storedCount).copyMemory(from: source, byteCount: bytes.count)
        storedCount &+= bytes.count
    }

    /// Appends the UTF-8 bytes of `text` (a literal, say).
    @inlinable
    public mutating func append(utf8 text: StaticString) {
        append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Makes room for `extra` more bytes than the buffer holds: at least
    /// double the capacity, so appending byte by byte grows it rarely.
    @usableFromInline
    mutating func grow(toHold extra: Int) {
        let needed = storedCount + extra
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: storedCount)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    /// Empties the buffer. Storage past `retainedCapacity` bytes is let go,
    /// so one huge value does not keep its buffer for every value after it.
    public mutating func removeAll(retainingAtMost retainedCapacity: Int = 1 << 20) {
        storedCount = 0
        guard capacity > retainedCapacity else { return }
        base.deallocate()
        capacity = max(retainedCapacity, 16)
        base = .allocate(capacity: capacity)
    }

    /// Calls `body` with the bytes, borrowed: valid during the call only.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: storedCount))
    }
}
