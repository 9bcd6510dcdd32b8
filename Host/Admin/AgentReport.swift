import SluiceHost

/// One agent as `GET /agents` and `GET /agents/{name}` show it.
public struct AgentReport: Codable, Sendable, Equatable {
    /// One assigned partition.
    public struct Partition: Codable, Sendable, Equatable {
        /// The topic.
        public var topic: String
        /// The partition number.
        public var partition: Int32
    }

    /// The agent's (plugin's) name.
    public var name: String
    /// The plugin's version.
    public var version: String
    /// SHA-256 of the plugin file.
    public var sha256: String
    /// `running`, `paused`, `failed` or `stopped`.
    public var state: String
    /// Why the agent is paused or failed; nil otherwise.
    public var stateReason: String?
    /// Assigned partitions, sorted.
    public var partitions: [Partition]
    /// Records handed to the agent and not yet finished.
    public var inFlight: Int
    /// Records finished with OK or SKIP.
    public var processed: Int
    /// Records sent to the dead-letter topic.
    public var deadLettered: Int
    /// Redeliveries (RETRY results and failed produces).
    public var retried: Int
    /// The most recent error, if any.
    public var lastError: String?
    /// The agent's most recent reload, if any (a refused one carries the reason
    /// while the previous version keeps running).
    public var lastReload: ReloadReport?

    /// The report of `status`; `lastReload` is the agent's latest reload event.
    public init(_ status: AgentStatus, lastReload: ReloadEvent? = nil) {
        self.lastReload = lastReload.map(ReloadReport.init)
        name = status.name
        version = status.version
        sha256 = status.sha256
        switch status.state {
        case .running: state = "running"
        case .paused(let reason): state = "paused"; stateReason = reason
        case .failed(let reason): state = "failed"; stateReason = reason
        case .stopped: state = "stopped"
        }
        partitions = status.partitions.map { Partition(topic: $0.topic, partition: $0.partition) }
        inFlight = status.inFlight
        processed = status.processed
        deadLettered = status.deadLettered
        retried = status.retried
        lastError = status.lastError
    }

    enum CodingKeys: String, CodingKey {
        case name, version, sha256, state, partitions, processed, retried
        case stateReason = "state_reason"
        case inFlight = "in_flight"
        case deadLettered = "dead_lettered"
        case lastError = "last_error"
        case lastReload = "last_reload"
    }

    /// Absent optionals print as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(state, forKey: .state)
        try container.encode(stateReason, forKey: .stateReason)
        try container.encode(partitions, forKey: .partitions)
        try container.encode(inFlight, forKey: .inFlight)
        try container.encode(processed, forKey: .processed)
        try container.encode(deadLettered, forKey: .deadLettered)
        try container.encode(retried, forKey: .retried)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(lastReload, forKey: .lastReload)
    }
}
