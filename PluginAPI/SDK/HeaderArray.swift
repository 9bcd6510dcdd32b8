import CSluicePlugin

/// Lays out owned ``RecordHeader``s as a temporary C `sluice_header` array.
enum HeaderArray {
    /// Calls `body` with a C array of `headers`, valid only during the call.
    /// Allocates nothing when there are no headers.
    static func with<R>(_ headers: [RecordHeader], _ body: (UnsafePointer<sluice_header>?, Int) -> R) -> R {
        if headers.isEmpty { return body(nil, 0) }
        // One arena for every name and value, so the C array can point into it.
        let byteCount = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.count } + 1
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 1)
        let array = UnsafeMutableBufferPointer<sluice_header>.allocate(capacity: headers.count)
        defer {
            arena.deallocate()
            array.deallocate()
        }
        var cursor = 0
        for (index, header) in headers.enumerated() {
            let nameStart = cursor
            for byte in header.name.utf8 { arena[cursor] = byte; cursor += 1 }
            let valueStart = cursor
            arena[cursor..<(cursor + header.value.count)].copyBytes(from: header.value)
            cursor += header.value.count
            let base = arena.baseAddress!
            array[index] = sluice_header(
                name: UnsafePointer(base.advanced(by: nameStart).assumingMemoryBound(to: CChar.self)),
                name_len: valueStart - nameStart,
                value: UnsafePointer(base.advanced(by: valueStart).assumingMemoryBound(to: UInt8.self)),
                value_len: header.value.count)
        }
        return body(UnsafePointer(array.baseAddress), headers.count)
    }
}
