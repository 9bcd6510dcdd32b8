import CRdKafka
import Logging

/// The `kafka://` transport over librdkafka: one consumer-group member per
/// agent, one shared idempotent producer, topics created through the Admin
/// API. See docs/kafka.md.
public struct KafkaTransport: Transport {
    /// What the transport connects with.
    public let settings: KafkaSettings
    private let sharedProducer: KafkaProducer
    private let health: KafkaHealth
    private let consumers = KafkaConsumerDirectory()
    private let logger: Logger

    /// Connects the shared producer (librdkafka connects lazily; nothing
    /// fails here if the broker is down).
    public init(settings: KafkaSettings, logger: Logger) throws {
        self.settings = settings
        var logger = logger
        logger[metadataKey: "transport"] = "kafka"
        self.logger = logger
        health = KafkaHealth(logger: logger)
        sharedProducer = try KafkaProducer(settings: settings, health: health, logger: logger)
    }

    public var producer: any RecordProducer { sharedProducer }

    /// Joins `group` for `topics`. Input topics that do not exist yet are
    /// created first (like `memory://`): a subscription to a missing topic
    /// would otherwise wait for a metadata refresh after it appears.
    public func makeConsumer(group: String, topics: [String], listener: any ConsumerListener) throws -> any RecordConsumer {
        for topic in topics { try sharedProducer.ensureTopic(topic) }
        let consumer = try KafkaConsumer(settings: settings, group: group, topics: topics, listener: listener,
                                         health: health, logger: logger)
        consumers.add(consumer)
        return consumer
    }

    /// Records of each partition assigned to `group`'s consumer in this
    /// process that the group has not committed yet: the high watermark of
    /// the last fetch minus the committed offset. Empty when this process has
    /// no consumer of `group`; a partition nothing was fetched from yet is
    /// left out.
    public func consumerLag(group: String) -> [TopicPartition: Int64] {
        consumers.consumer(group: group)?.lag() ?? [:]
    }

    /// Creates `topic` with the configured partitions and replication factor;
    /// one that exists already is fine.
    public func ensureTopic(_ topic: String) throws {
        try sharedProducer.ensureTopic(topic)
    }

    /// False while the broker does not answer (probed once a second, and
    /// reported by the clients' error callbacks).
    public var isReachable: Bool { health.isReachable }
}
