/// What an agent is doing, for operators (the CLI, logs, the admin API) and tests.
public struct AgentStatus: Sendable, Equatable {
    /// The agent's life.
    public enum State: Sendable, Equatable, CustomStringConvertible {
        /// Consuming and handling records.
        case running
        /// A partition is held by the pause policy (retries exhausted) or an operator.
        case paused(String)
        /// Stopped for good because of an error (FATAL batch, failed open, consumer error).
        case failed(String)
        /// Stopped on request.
        case stopped

        public var description: String {
            switch self {
            case .running: "running"
            case .paused(let reason): "paused: \(reason)"
            case .failed(let reason): "failed: \(reason)"
            case .stopped: "stopped"
            }
        }
    }

    /// The agent's name (its sidecar's, or the plugin's when it has none).
    public var name: String
    /// The name of the plugin it runs.
    public var plugin: String
    /// The plugin's version.
    public var version: String
    /// SHA-256 of the plugin file.
    public var sha256: String
    /// Current state.
    public var state: State
    /// Assigned partitions, sorted.
    public var partitions: [TopicPartition]
    /// Records handed to the agent and not yet finished.
    public var inFlight: Int
    /// Records finished with OK or SKIP.
    public var processed: Int
    /// Records sent to the dead-letter topic.
    public var deadLettered: Int
    /// Redeliveries of records (RETRY results and failed produces).
    public var retried: Int
    /// The most recent error, if any.
    public var lastError: String?
    /// Crashes of the agent's plugin: in-process, those in the host's crash
    /// history (crash quarantine, docs/isolation.md), each of which took the
    /// host process down; isolated, also its runners' crashes in this process.
    public var pluginCrashes: Int = 0
    /// Where the agent's plugin runs (its sidecar's `isolation`).
    public var isolation: IsolationMode = .inProcess
    /// The agent's `config:` as operators may see it: secrets (the keys the
    /// plugin's `config_schema` marks `"writeOnly": true`, secret-looking
    /// names, URL credentials) redacted.
    public var config: ConfigValue = .object([:])
    /// The tables the agent keeps (empty for a stateless agent).
    public var tables: [String] = []
    /// Each owned partition's restore from the changelogs: running, or how
    /// the last one ended (`total` 0: the local store was current).
    public var restores: [RestoreProgress] = []
    /// When records finished since the agent started or was last resumed,
    /// with the process's CPU time then; nil while none did.
    public var finishWindow: FinishWindow?
}
