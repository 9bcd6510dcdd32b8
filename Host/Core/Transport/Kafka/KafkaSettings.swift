/// How the Kafka transport connects and creates topics, taken from
/// `HostConfiguration` (`broker: kafka://…` and the `kafka:` map).
///
/// Every property of the `kafka:` map goes to librdkafka unchanged, for both
/// the consumers and the producer, except the `sluice.*` keys, which the
/// transport reads itself:
///
/// | key | default | meaning |
/// |---|---|---|
/// | `sluice.topic.partitions` | 8 | partitions of a topic the host creates |
/// | `sluice.topic.replication.factor` | -1 | its replication factor (-1: the broker's default) |
/// | `sluice.request.timeout.ms` | 10000 | admin requests, committed-offset and watermark queries |
public struct KafkaSettings: Sendable, Equatable {
    /// librdkafka's `bootstrap.servers`.
    public var bootstrapServers: String
    /// librdkafka properties applied to every client (the `sluice.*` keys removed).
    public var properties: [String: String]
    /// Partitions of topics the transport creates (output and dead-letter topics).
    public var topicPartitions: Int = 8
    /// Replication factor of topics the transport creates; -1 asks for the broker's default.
    public var topicReplicationFactor: Int = -1
    /// Bound on admin requests and on committed-offset and watermark queries.
    public var requestTimeout: Duration = .seconds(10)

    /// The prefix of the keys the transport reads itself.
    static let ownPrefix = "sluice."

    /// Settings for `bootstrapServers` with `properties` (which may hold `sluice.*` keys).
    public init(bootstrapServers: String, properties: [String: String] = [:]) throws(KafkaError) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties.filter { !$0.key.hasPrefix(Self.ownPrefix) }
        for (key, value) in properties where key.hasPrefix(Self.ownPrefix) {
            switch key {
            case "sluice.topic.partitions":
                guard let number = Int(value), (1...100_000).contains(number) else {
                    throw KafkaError("kafka.\(key): expected an integer from 1 to 100000, found \"\(value)\"")
                }
                topicPartitions = number
            case "sluice.topic.replication.factor":
                guard let number = Int(value), number == -1 || (1...32_767).contains(number) else {
                    throw KafkaError("kafka.\(key): expected -1 or an integer from 1 to 32767, found \"\(value)\"")
                }
                topicReplicationFactor = number
            case "sluice.request.timeout.ms":
                guard let number = Int(value), (1...3_600_000).contains(number) else {
                    throw KafkaError("kafka.\(key): expected milliseconds from 1 to 3600000, found \"\(value)\"")
                }
                requestTimeout = .milliseconds(number)
            default:
                throw KafkaError("kafka.\(key): unknown sluice.* key (known: sluice.topic.partitions, "
                    + "sluice.topic.replication.factor, sluice.request.timeout.ms)")
            }
        }
    }

    /// The settings a host configuration names; nil when it is not on Kafka.
    public init?(configuration: HostConfiguration) throws(KafkaError) {
        guard let servers = configuration.broker.bootstrapServers else { return nil }
        try self.init(bootstrapServers: servers, properties: configuration.kafka)
    }

    /// `requestTimeout` in milliseconds, as librdkafka takes it.
    var requestTimeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = requestTimeout.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
