/// Appends the wire's little-endian integers and length-prefixed byte strings.
public struct WireWriter: Sendable {
    /// What was written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Forgets what was written, keeping the storage.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// One byte.
    public mutating func u8(_ value: UInt8) { bytes.append(value) }
    /// Two bytes, little-endian.
    public mutating func u16(_ value: UInt16) { integer(value) }
    /// Four bytes, little-endian.
    public mutating func u32(_ value: UInt32) { integer(value) }
    /// Four bytes, little-endian, two's complement.
    public mutating func i32(_ value: Int32) { integer(value) }
    /// Eight bytes, little-endian.
    public mutating func u64(_ value: UInt64) { integer(value) }
    /// Eight bytes, little-endian, two's complement.
    public mutating func i64(_ value: Int64) { integer(value) }
    /// The IEEE 754 bits, as ``u64(_:)``.
    public mutating func f64(_ value: Double) { integer(value.bitPattern) }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// `u32 length` then the bytes.
    public mutating func data(_ value: UnsafeRawBufferPointer) {
        u32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// `u32 length` then the bytes.
    public mutating func data(_ value: [UInt8]) {
        value.withUnsafeBytes { data($0) }
    }

    /// `i32 length` (−1 for nil) then the bytes.
    public mutating func optionalData(_ value: UnsafeRawBufferPointer?) {
        guard let value else { return i32(-1) }
        i32(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    /// `i32 length` (−1 for nil) then the bytes.
    public mutating func optionalData(_ value: [UInt8]?) {
        guard let value else { return i32(-1) }
        value.withUnsafeBytes { optionalData($0) }
    }

    /// UTF-8 with a `u32` length.
    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { data(UnsafeRawBufferPointer($0)) }
    }

    /// UTF-8 with an `i32` length, −1 for nil.
    public mutating func optionalString(_ value: String?) {
        guard var value else { return i32(-1) }
        value.withUTF8 { optionalData(UnsafeRawBufferPointer($0)) }
    }
}
