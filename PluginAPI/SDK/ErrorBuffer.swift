/// Writes a reason into the `error`/`error_cap` buffer of a C hook: truncated
/// on a UTF-8 character boundary, always NUL-terminated.
enum ErrorBuffer {
    static func write(_ reason: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
        guard let buffer, capacity > 0 else { return }
        let bytes = Array(reason.utf8)
        var length = min(bytes.count, capacity - 1)
        // Do not cut a multi-byte character in half: back off over continuation bytes.
        if length < bytes.count {
            while length > 0 && bytes[length] & 0xC0 == 0x80 { length -= 1 }
        }
        for index in 0..<length { buffer[index] = CChar(bitPattern: bytes[index]) }
        buffer[length] = 0
    }
}
