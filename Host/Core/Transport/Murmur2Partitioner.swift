/// Kafka's default partitioner for keyed records: `toPositive(murmur2(key)) % partitions`,
/// so a key lands on the same partition number on `memory://` as on Kafka.
public enum Murmur2Partitioner {
    /// The partition for `key` among `partitionCount` partitions.
    public static func partition(forKey key: some Collection<UInt8>, partitionCount: Int32) -> Int32 {
        Int32(positiveHash(key) % UInt32(partitionCount))
    }

    /// `toPositive(murmur2(key))`: the key's partition is this modulo the
    /// partition count (computed apart, outside a broker's lock).
    public static func positiveHash(_ key: some Collection<UInt8>) -> UInt32 {
        murmur2(key) & 0x7fff_ffff
    }

    /// Kafka's `Utils.murmur2` (seed 0x9747b28c), bit for bit.
    public static func murmur2(_ data: some Collection<UInt8>) -> UInt32 {
        let bytes = Array(data)
        let length = bytes.count
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = seed ^ UInt32(truncatingIfNeeded: length)
        let length4 = length / 4
        for i in 0..<length4 {
            let i4 = i * 4
            var k = UInt32(bytes[i4]) | UInt32(bytes[i4 + 1]) << 8 | UInt32(bytes[i4 + 2]) << 16 | UInt32(bytes[i4 + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length4 * 4
        switch length % 4 {
        case 3:
            h ^= UInt32(bytes[tail + 2]) << 16
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h = h &* m
        case 2:
            h ^= UInt32(bytes[tail + 1]) << 8
            h ^= UInt32(bytes[tail])
            h = h &* m
        case 1:
            h ^= UInt32(bytes[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }
}
