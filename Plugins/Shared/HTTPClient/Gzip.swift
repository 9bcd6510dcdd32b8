import CCurl

/// gzip compression of request bodies, through zlib (linked with libcurl).
enum Gzip {
    /// `bytes` as a gzip member, or nil if zlib failed.
    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        let capacity = sluice_gzip_bound(bytes.count)
        var output = [UInt8](repeating: 0, count: capacity)
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                sluice_gzip_compress(input.baseAddress, input.count, out.baseAddress, capacity)
            }
        }
        guard written >= 0 else { return nil }
        output.removeSubrange(written...)
        return output
    }
}
