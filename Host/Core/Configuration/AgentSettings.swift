/// How the host runs one agent: the keys of its sidecar `NAME.yaml` (and of
/// the `defaults:` section of sluice.yaml, which the sidecars start from).
public struct AgentSettings: Sendable, Equatable {
    /// The plugin this agent runs (yaml: `plugin`); nil: the plugin named
    /// like the sidecar (`NAME.yaml` runs `NAME.so`). Only a sidecar sets it.
    public var plugin: String? = nil
    /// Whether the agent runs at all (yaml: `enabled`).
    public var enabled: Bool = true
    /// Input topics; nil: the plugin's default topics (yaml: `topics`).
    public var topics: [String]? = nil
    /// Consumer group; nil: `"<host group>.<agent name>"` (yaml: `group`).
    public var group: String? = nil
    /// Most records handed to one `on_batch` call, 1…100 000 (yaml: `batch_size`).
    public var batchSize: Int = 500
    /// Most records handed to the agent and not yet finished, ≥ `batchSize`;
    /// above it the agent's partitions pause (yaml: `max_in_flight`).
    public var maxInFlight: Int = 10_000
    /// How long a batch may stay unfinished (in `on_batch` or pending) before it
    /// is retried (yaml: `batch_timeout`).
    public var batchTimeout: Duration = .seconds(30)
    /// While the plugin's `on_batch` calls average below this, the agent's
    /// fetcher thread runs its batches itself instead of handing them to a
    /// worker; zero: never (yaml: `inline_below`).
    public var inlineBelow: Duration = .microseconds(200)
    /// Redelivery of records the agent asked to retry (yaml: `retry`).
    public var retry: RetryPolicy = .init()
    /// What happens once `retry.maxAttempts` is used up (yaml: `on_exhausted`).
    public var onExhausted: FailurePolicy = .deadLetter
    /// Dead-letter topic; nil: `"<agent>.dlq"` (yaml: `dead_letter_topic`).
    public var deadLetterTopic: String? = nil
    /// Where the plugin runs: in the host, or in a runner process of its own (yaml: `isolation`).
    public var isolation: IsolationMode = .inProcess
    /// With `isolation: process`, the runner's resident memory (bytes) past
    /// which it is killed and restarted; nil: no limit (yaml: `memory_limit`).
    public var memoryLimit: Int? = nil
    /// With `isolation: process`, the runner's CPU niceness, 0 (as the host)
    /// to 19 (yields to everything else) (yaml: `nice`).
    public var nice: Int = 0
    /// The plugin's own configuration, any mapping, passed to it as JSON
    /// (`config.jsonText`) in `validate_config` and `create` (yaml: `config`).
    public var config: ConfigValue = .object([:])

    /// The defaults listed above.
    public init() {}

    /// The consumer group of agent `name` under host group `hostGroup`.
    public func consumerGroup(agent name: String, hostGroup: String) -> String {
        group ?? "\(hostGroup).\(name)"
    }

    /// The dead-letter topic of agent `name`.
    public func deadLetterTopic(agent name: String) -> String {
        deadLetterTopic ?? "\(name).dlq"
    }
}
