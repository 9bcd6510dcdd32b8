@testable import SluiceHost

/// A stateful agent's table as its changelog says: read with the host's own
/// restore rule into a fresh in-memory store, partition by partition. What a
/// host that takes the partitions over would start from.
public enum ChangelogTable {
    /// Every entry of `table` of the agent in consumer group `group` (input
    /// `topic` with `partitions` partitions), values read as decimal integers.
    /// Entries whose key starts with byte 1 (window indexes) are left out.
    public static func counts(transport: any Transport, group: String, topic: String,
                              partitions: Int, table: String = "counts") throws -> [String: Int] {
        let store = MemoryStateStore()
        var counts: [String: Int] = [:]
        for partition in 0..<partitions {
            let restorer = StateRestorer(
                partition: TopicPartition(topic, Int32(partition)), store: store, transport: transport,
                changelogs: [table: ChangelogRecord.topic(consumerGroup: group, table: table)]) { _, _ in }
            _ = try restorer.restore()
            try store.scan(table: table, partition: Int32(partition), from: nil, to: nil, limit: 0) { key, value in
                guard key.first != 0x01 else { return true }
                counts[String(decoding: key, as: UTF8.self), default: 0] += Int(String(decoding: value, as: UTF8.self)) ?? -1_000_000
                return true
            }
        }
        return counts
    }

    /// The bucket the stateful counter (Tests/Fixtures/stateful_counter.c)
    /// counts `key` in with `buckets` buckets: FNV-1a 32 of the key, modulo.
    public static func bucket(of key: String, buckets: Int) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return "b\(hash % UInt32(buckets))"
    }
}
