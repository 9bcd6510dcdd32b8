import CSluicePlugin

/// The headers of a consumed message: a borrowed, zero-copy collection.
public struct MessageHeaders: RandomAccessCollection {
    let base: UnsafePointer<sluice_header>?
    /// The number of headers.
    public let count: Int

    /// One borrowed header.
    public struct Header {
        let raw: UnsafePointer<sluice_header>
        /// The name's bytes, borrowed.
        public var nameBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: raw.pointee.name, count: raw.pointee.name_len) }
        /// The value's bytes, borrowed.
        public var value: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: raw.pointee.value, count: raw.pointee.value_len) }
        /// The name as text (a copy).
        public var name: String { String(decoding: nameBytes, as: UTF8.self) }
        /// The value as UTF-8 text (a copy).
        public var stringValue: String { String(decoding: value, as: UTF8.self) }
        /// An owned copy.
        public var owned: RecordHeader { RecordHeader(name: name, value: Array(value)) }
    }

    /// `0`.
    public var startIndex: Int { 0 }
    /// ``count``.
    public var endIndex: Int { count }
    /// The header at `position`.
    public subscript(position: Int) -> Header {
        precondition(position >= 0 && position < count, "header index out of range")
        return Header(raw: base! + position)
    }

    /// The first header named `name`, compared byte for byte without copying.
    public func first(named name: String) -> Header? {
        var name = name
        return name.withUTF8 { wanted in
            first { header in header.nameBytes.elementsEqual(UnsafeRawBufferPointer(wanted)) }
        }
    }
}
