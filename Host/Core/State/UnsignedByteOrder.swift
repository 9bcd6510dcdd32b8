#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The order of state keys: unsigned byte comparison, shorter first on a tie
/// (RocksDB's default bytewise comparator), so both back ends scan alike.
enum UnsignedByteOrder {
    /// Negative when `a` sorts before `b`, zero when equal, positive after.
    @inline(__always)
    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let left = a.baseAddress, let right = b.baseAddress {
            let order = memcmp(left, right, common)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }

    /// Whether `a` sorts before `b`.
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { left in b.withUnsafeBytes { right in compare(left, right) < 0 } }
    }
}
