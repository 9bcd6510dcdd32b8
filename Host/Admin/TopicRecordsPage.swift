/// One page of `GET /topics/{topic}/messages`: records partition by
/// partition, each in offset order, and where the next page starts.
public struct TopicRecordsPage: Codable, Sendable, Equatable {
    /// A place in the topic: a partition and an offset in it.
    public struct Position: Codable, Sendable, Equatable {
        /// The partition.
        public var partition: Int32
        /// The offset in the partition.
        public var offset: Int64

        /// Creates a position.
        public init(partition: Int32, offset: Int64) {
            self.partition = partition
            self.offset = offset
        }
    }

    /// The topic read.
    public var topic: String
    /// This page's records (at most the request's `limit`).
    public var records: [TopicRecordsReport.Record]
    /// Where the next page starts: send it back as `?partition=P&offset=O`.
    /// Nil (`null`) when this page holds the topic's last record.
    public var next: Position?

    /// Creates a page.
    public init(topic: String, records: [TopicRecordsReport.Record], next: Position?) {
        self.topic = topic
        self.records = records
        self.next = next
    }

    private enum CodingKeys: String, CodingKey {
        case topic, records, next
    }

    /// Writes `next` as `null` at the end, rather than leaving it out: every key is always present.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(topic, forKey: .topic)
        try container.encode(records, forKey: .records)
        try container.encode(next, forKey: .next)
    }
}
