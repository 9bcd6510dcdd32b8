/// A frame the peer sent that does not parse: the connection is broken.
public struct WireError: Error, CustomStringConvertible, Sendable {
    /// What was wrong.
    public let description: String

    /// A wire error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// Reads what ``WireWriter`` wrote, borrowing byte strings from the buffer.
public struct WireReader {
    private let buffer: UnsafeRawBufferPointer
    /// Where the next read starts.
    public private(set) var offset = 0

    /// A reader over `buffer`, which must outlive what it lends.
    public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    /// Whether every byte was read.
    public var isAtEnd: Bool { offset == buffer.count }

    private mutating func take(_ count: Int) throws(WireError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= buffer.count - offset else {
            throw WireError("frame truncated: \(count) bytes wanted at \(offset) of \(buffer.count)")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + count])
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(WireError) -> T {
        T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    /// The next `count` bytes, borrowed.
    public mutating func bytes(count: Int) throws(WireError) -> UnsafeRawBufferPointer { try take(count) }

    /// What ``WireWriter/u8(_:)`` wrote.
    public mutating func u8() throws(WireError) -> UInt8 { try integer(UInt8.self) }
    /// What ``WireWriter/u16(_:)`` wrote.
    public mutating func u16() throws(WireError) -> UInt16 { try integer(UInt16.self) }
    /// What ``WireWriter/u32(_:)`` wrote.
    public mutating func u32() throws(WireError) -> UInt32 { try integer(UInt32.self) }
    /// What ``WireWriter/i32(_:)`` wrote.
    public mutating func i32() throws(WireError) -> Int32 { try integer(Int32.self) }
    /// What ``WireWriter/u64(_:)`` wrote.
    public mutating func u64() throws(WireError) -> UInt64 { try integer(UInt64.self) }
    /// What ``WireWriter/i64(_:)`` wrote.
    public mutating func i64() throws(WireError) -> Int64 { try integer(Int64.self) }
    /// What ``WireWriter/f64(_:)`` wrote.
    public mutating func f64() throws(WireError) -> Double { Double(bitPattern: try integer(UInt64.self)) }

    /// A `u32`-length byte string, borrowed.
    public mutating func data() throws(WireError) -> UnsafeRawBufferPointer {
        try take(Int(try u32()))
    }

    /// An `i32`-length byte string (nil for −1), borrowed.
    public mutating func optionalData() throws(WireError) -> UnsafeRawBufferPointer? {
        let length = try i32()
        return length < 0 ? nil : try take(Int(length))
    }

    /// A `u32`-length UTF-8 string.
    public mutating func string() throws(WireError) -> String {
        String(decoding: try data(), as: UTF8.self)
    }

    /// An `i32`-length UTF-8 string, nil for −1.
    public mutating func optionalString() throws(WireError) -> String? {
        try optionalData().map { String(decoding: $0, as: UTF8.self) }
    }
}
