/// The records of one partition, read back without consuming
/// (`Transport.readRecords(topic:)`).
public struct PartitionRecords: Sendable, Equatable {
    /// The partition read.
    public let partition: TopicPartition
    /// Its records, in offset order.
    public let records: [StoredRecord]

    /// Creates the records of `partition`.
    public init(partition: TopicPartition, records: [StoredRecord]) {
        self.partition = partition
        self.records = records
    }
}
