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
/// | `sluice.static.membership` | false | each consumer joins its group with `group.instance.id` `<host identity>.<group>` (see docs/reliability.md) |
/// | `sluice.topic.create` | true | false: the host never asks the broker to create input, output or dead-letter topics (they must exist) |
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
    /// Whether the transport creates the input, output and dead-letter topics
    /// it uses (`CreateTopics`). Off for a cluster where the host may not
    /// create topics (ACLs) or whose broker has no Admin API (librdkafka's
    /// mock cluster): the topics must exist then. Changelog topics are still
    /// created, with their compaction settings.
    public var createsTopics = true
    /// Static group membership (KIP-345): whether consumers join with a
    /// `group.instance.id`, so a host restarted after a crash takes its
    /// partitions back at once instead of waiting for the dead member's
    /// session to time out. Needs ``hostIdentity``. Off by default: the local
    /// Tansu broker takes a restarted static member back, but does not
    /// rebalance when static members join or die (docs/reliability.md).
    public var staticMembership = false
    /// The host's identity (``HostIdentity``, kept in the data directory); with
    /// ``staticMembership``, a consumer of group G joins as `<identity>.G`.
    public var hostIdentity: String?

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
            case "sluice.static.membership":
                guard let flag = ["true": true, "false": false][value.lowercased()] else {
                    throw KafkaError("kafka.\(key): expected true or false, found \"\(value)\"")
                }
                staticMembership = flag
            case "sluice.topic.create":
                guard let flag = ["true": true, "false": false][value.lowercased()] else {
                    throw KafkaError("kafka.\(key): expected true or false, found \"\(value)\"")
                }
                createsTopics = flag
            default:
                throw KafkaError("kafka.\(key): unknown sluice.* key (known: sluice.topic.partitions, "
                    + "sluice.topic.replication.factor, sluice.request.timeout.ms, sluice.static.membership, sluice.topic.create)")
            }
        }
    }

    /// The settings a host configuration names; nil when it is not on Kafka.
    public init?(configuration: HostConfiguration) throws(KafkaError) {
        guard let servers = configuration.broker.bootstrapServers else { return nil }
        try self.init(bootstrapServers: servers, properties: configuration.kafka)
    }

    /// The `group.instance.id` of this host's consumer of `group`: nil without
    /// static membership, or when the `kafka:` map sets one itself.
    func groupInstanceID(group: String) -> String? {
        guard staticMembership, let hostIdentity, properties["group.instance.id"] == nil else { return nil }
        return hostIdentity + "." + group
    }

    /// `requestTimeout` in milliseconds, as librdkafka takes it.
    var requestTimeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = requestTimeout.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
