/// The body of a successful `POST /topics/{topic}/messages`.
public struct ProduceResponse: Codable, Sendable, Equatable {
    /// The topic written to.
    public var topic: String
    /// Records the broker acknowledged.
    public var produced: Int

    /// Creates a response.
    public init(topic: String, produced: Int) {
        self.topic = topic
        self.produced = produced
    }
}
