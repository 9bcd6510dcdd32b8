import Foundation

/// Anything whose bytes can be a record key or value: `String`, `Substring`,
/// `[UInt8]`, `ArraySlice<UInt8>`, `Data`, `UnsafeRawBufferPointer`.
/// The bytes are only read during the call; the host copies them.
public protocol RecordBytes {
    /// Calls `body` with the bytes, contiguous.
    func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension String: RecordBytes {
    /// The string's UTF-8.
    public func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self // withUTF8 is mutating (it may make the string native); this copy shares storage
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

extension Substring: RecordBytes {
    /// The substring's UTF-8.
    public func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

extension Array: RecordBytes where Element == UInt8 {
    /// The array's bytes.
    public func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension ArraySlice: RecordBytes where Element == UInt8 {
    /// The slice's bytes.
    public func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension Data: RecordBytes {
    /// The data's bytes.
    public func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension UnsafeRawBufferPointer: RecordBytes {
    /// The buffer itself (for forwarding a borrowed key or value without a copy).
    public func withRecordBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(self)
    }
}
