/// The `memory://` transport: the embedded broker behind the common interface.
public struct MemoryTransport: Transport {
    /// The broker records live in; tests keep it to inspect topics and offsets.
    public let broker: MemoryBroker

    /// Creates a transport over `broker` (a new one by default).
    public init(broker: MemoryBroker = MemoryBroker()) {
        self.broker = broker
    }

    public var producer: any RecordProducer { MemoryProducer(broker: broker) }

    public func makeConsumer(group: String, topics: [String], listener: any ConsumerListener) throws -> any RecordConsumer {
        try MemoryConsumer(broker: broker, group: group, topics: topics, listener: listener)
    }

    public func ensureTopic(_ topic: String) throws {
        broker.createTopic(topic)
    }

    public var isReachable: Bool { true }
}

/// Appends straight to the embedded broker; every record is acknowledged at once.
struct MemoryProducer: RecordProducer {
    let broker: MemoryBroker

    func produce(_ record: OutgoingRecord, acknowledged: @escaping @Sendable (Result<Void, ProduceError>) -> Void) {
        guard !record.topic.isEmpty else {
            acknowledged(.failure(ProduceError("topic name is empty")))
            return
        }
        broker.append(record)
        acknowledged(.success(()))
    }

    func flush(timeout: Duration) -> Bool { true }
}
