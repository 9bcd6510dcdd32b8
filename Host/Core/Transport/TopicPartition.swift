/// One partition of one topic: the unit of ordering, assignment and commit.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    /// The topic's name.
    public let topic: String
    /// The partition number, from 0.
    public let partition: Int32

    /// Creates a topic-partition pair.
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}
