extension KafkaHost {
    /// A host on the shared broker of `tools/services`, with topic and group
    /// names of its own: how most Kafka tests start.
    public init() throws {
        try self.init(world: KafkaTestWorld())
    }

    /// A reader of `topic` on this host's broker, from the topic's start.
    public func reader(_ topic: String) async throws -> TopicReader {
        try await TopicReader(world: world, topic: topic)
    }
}

extension TopicReader {
    /// Waits until at least `count` records of the topic were read; fails
    /// after `timeout` saying `what` was awaited.
    public func waitForRecords(atLeast count: Int, timeout: Duration = .seconds(60), _ what: String) async throws {
        try await eventually(timeout: timeout, what) { await self.count >= count }
    }
}
