import SluiceHost

extension KafkaTransport {
    /// Creates `topic` when it does not exist, like `ensureTopic(_:)`, but the
    /// round trip to the broker (a blocking admin request) waits on a thread
    /// of its own instead of one of the cooperative threads tests share.
    public func createTopicIfMissing(_ topic: String) async throws {
        try await DedicatedThread.run("test-kafka-topic") { [self] () throws -> Void in try ensureTopic(topic) }
    }
}

extension KafkaTransport {
    /// Waits, on a thread of its own, until every record produced so far is
    /// acknowledged or `timeout` passes (`producer.flush`); true when all were.
    public func flushed(timeout: Duration) async -> Bool {
        await DedicatedThread.run("test-kafka-flush") { [self] in producer.flush(timeout: timeout) }
    }
}
