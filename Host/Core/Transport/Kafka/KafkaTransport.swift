import CRdKafka
import Logging
import Synchronization

/// The `kafka://` transport over librdkafka: one consumer-group member per
/// agent, one shared idempotent producer, topics created through the Admin
/// API. See docs/kafka.md.
public final class KafkaTransport: Transport {
    /// What the transport connects with.
    public let settings: KafkaSettings
    let sharedProducer: KafkaProducer
    let health: KafkaHealth
    let logger: Logger
    /// This process's member of each group, held weakly (a consumer belongs to
    /// its agent and goes away with it): the lag of a group is read from its
    /// member's fetch state, with no broker request.
    private let members = Mutex<[String: GroupMember]>([:])

    private struct GroupMember {
        weak var consumer: KafkaConsumer?
    }

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
        members.withLock { members in
            members = members.filter { $0.value.consumer != nil }
            members[group] = GroupMember(consumer: consumer)
        }
        return consumer
    }

    /// Creates `topic` with the configured partitions and replication factor;
    /// one that exists already is fine.
    public func ensureTopic(_ topic: String) throws {
        try sharedProducer.ensureTopic(topic)
    }

    /// False while the broker does not answer (probed once a second, and
    /// reported by the clients' error callbacks).
    public var isReachable: Bool { health.isReachable }

    /// The lag of those of `partitions` assigned to `group`'s member in this
    /// process: the high watermark of the last fetch minus the committed
    /// offset. Empty when this process has no member of `group`; a partition
    /// nothing was fetched from yet is left out.
    public func lag(group: String, partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let consumer = members.withLock { $0[group]?.consumer }
        return consumer?.lag().filter { partitions.contains($0.key) } ?? [:]
    }

    /// Always nil: the partition count would take a metadata request, and the
    /// broker refuses a record for a partition that does not exist by itself.
    public func knownPartitionCount(of topic: String) -> Int? { nil }

    /// Not supported: reading a Kafka topic takes a consumer, and this host's
    /// consumers belong to its agents.
    public func readRecords(topic: String, partition: Int32, offset: Int64,
                            limit: Int) throws(TopicReadUnsupportedError) -> [PartitionRecords] {
        throw TopicReadUnsupportedError(topic: topic, instead: "on Kafka, read the topic with a Kafka consumer")
    }
}
