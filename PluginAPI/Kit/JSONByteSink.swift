/// Where the kit's text writers (``JSONText``, ``NumberText``) append their
/// bytes: an `[UInt8]` or a ``JSONOutputBuffer``. Each writer has one
/// generic body, specialized for both in this module, and a public overload
/// per type.
protocol JSONByteSink: ~Copyable {
    mutating func appendByte(_ byte: UInt8)
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer)
}

extension Array: JSONByteSink where Element == UInt8 {
    mutating func appendByte(_ byte: UInt8) { append(byte) }
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

extension JSONOutputBuffer: JSONByteSink {
    mutating func appendByte(_ byte: UInt8) { append(byte) }
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}
