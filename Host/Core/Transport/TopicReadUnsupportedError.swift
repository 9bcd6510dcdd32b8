/// The transport cannot read a topic's records back without consuming them
/// (`Transport.readRecords(topic:)`); Kafka cannot: that takes a consumer.
public struct TopicReadUnsupportedError: Error, Sendable, CustomStringConvertible {
    /// The topic that was to be read.
    public let topic: String
    /// What the operator can do instead, one clause
    /// (`on Kafka, read the topic with a Kafka consumer`).
    public let instead: String

    /// Creates the error for `topic`.
    public init(topic: String, instead: String) {
        self.topic = topic
        self.instead = instead
    }

    /// `reading <topic>: not supported by this transport; <instead>`.
    public var description: String { "reading \(topic): not supported by this transport; \(instead)" }
}
