import SluiceHost

/// The body of `GET /topics/{topic}/messages`: every record of a topic of the
/// embedded `memory://` broker, partition by partition, in offset order.
public struct TopicRecordsReport: Codable, Sendable, Equatable {
    /// One stored record; key, value and header values as UTF-8 text.
    public struct Record: Codable, Sendable, Equatable {
        /// Its partition.
        public var partition: Int32
        /// Its offset in the partition.
        public var offset: Int64
        /// Its key (nil: null key).
        public var key: String?
        /// Its value (nil: null value, a tombstone).
        public var value: String?
        /// Its headers by name (the last one wins when a name repeats).
        public var headers: [String: String]

        /// Creates a record report.
        public init(partition: Int32, offset: Int64, key: String?, value: String?, headers: [String: String]) {
            self.partition = partition
            self.offset = offset
            self.key = key
            self.value = value
            self.headers = headers
        }
    }

    /// The topic read.
    public var topic: String
    /// Its records.
    public var records: [Record]

    /// Creates a report.
    public init(topic: String, records: [Record]) {
        self.topic = topic
        self.records = records
    }

    /// The records of `partitions`, as the transport read them back.
    init(topic: String, partitions: [PartitionRecords]) {
        self.init(topic: topic, records: partitions.flatMap { read in
            read.records.map { record in
                Record(partition: read.partition.partition, offset: record.offset, key: record.keyText,
                       value: record.valueText,
                       headers: Dictionary(record.headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) },
                                           uniquingKeysWith: { $1 }))
            }
        })
    }
}
