import SluiceHost

// The JSON the admin API speaks, in the order docs/admin-api.md lists the
// endpoints. Only the shapes live here; building them from the runtime is in
// AdminAPIModels+Runtime.swift. Every key is part of the API (scripts read
// them): absent optionals are encoded as null, and AdminJSON sorts the keys.

// MARK: Errors

/// The body of every failure: `{"error": "<what is wrong>"}`.
public struct AdminErrorResponse: Codable, Sendable, Equatable {
    /// What is wrong with the request, for the operator.
    public var error: String

    /// Creates an error body.
    public init(error: String) {
        self.error = error
    }
}

// MARK: GET /readyz

/// The body of `GET /readyz`: ready, or why not.
public struct ReadinessReport: Codable, Sendable, Equatable {
    /// Whether the host is ready (broker reachable, every agent running).
    public var ready: Bool
    /// What keeps it from being ready, one line each; empty when ready.
    public var reasons: [String]
}

// MARK: GET /agents

/// The body of `GET /agents`: every agent, the refused plugin files, and the
/// recent reloads.
public struct AgentsReport: Codable, Sendable, Equatable {
    /// The agents, sorted by name.
    public var agents: [AgentReport]
    /// Plugin files the host refuses now (bad file, wrong ABI, failed create,
    /// another agent's name...), at start or since; a file leaves the list when
    /// it is removed or a later version of it is accepted.
    public var refused: [RefusalReport]
    /// Recent reloads, oldest first.
    public var reloads: [ReloadReport]
    /// When the host made this report (ISO 8601, UTC, with milliseconds): the
    /// clock to compute rates from successive reports with (the status page does).
    /// Always sent; optional so that a client reads the answer of an older host.
    public var at: String?
    /// The host itself: transport and uptime. Always sent; optional so that
    /// a client reads the answer of a host older than this key.
    public var host: HostReport?
}

/// The host as `GET /agents` shows it under `host`: what `sluice top` and the
/// status page put in their header line.
public struct HostReport: Codable, Sendable, Equatable {
    /// The broker address, `memory://` or `kafka://host:port[,...]`.
    public var transport: String
    /// When the host finished starting (ISO 8601, UTC); nil while it starts.
    public var startedAt: String?
    /// Seconds since then; nil while it starts.
    public var uptimeSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case transport
        case startedAt = "started_at"
        case uptimeSeconds = "uptime_seconds"
    }

    /// Absent optionals print as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(transport, forKey: .transport)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(uptimeSeconds, forKey: .uptimeSeconds)
    }
}

/// One agent as `GET /agents` and `GET /agents/{name}` show it (and the
/// answer of `POST /agents/{name}/pause` and `.../resume`).
public struct AgentReport: Codable, Sendable, Equatable {
    /// One assigned partition.
    public struct Partition: Codable, Sendable, Equatable {
        /// The topic.
        public var topic: String
        /// The partition number.
        public var partition: Int32
        /// Records of the partition the agent's group has not committed yet
        /// (end offset minus committed offset); nil while the transport does not
        /// know the end offset (on `kafka://`, until something was fetched).
        public var lag: Int64?

        enum CodingKeys: String, CodingKey { case topic, partition, lag }

        /// Absent optionals print as null, so scripts can rely on every key being there.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(topic, forKey: .topic)
            try container.encode(partition, forKey: .partition)
            try container.encode(lag, forKey: .lag)
        }
    }

    /// The agent's name (its sidecar's, or its plugin's when it has none).
    public var name: String
    /// The name of the plugin it runs.
    public var plugin: String
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
    /// The sum of the partitions' `lag` (consumer lag); nil when no partition's is known.
    public var lag: Int64?
    /// Records handed to the agent and not yet finished.
    public var inFlight: Int
    /// Records finished with OK or SKIP.
    public var processed: Int
    /// Records sent to the dead-letter topic.
    public var deadLettered: Int
    /// Redeliveries (RETRY results and failed produces).
    public var retried: Int
    /// Crashes of the agent's plugin in the host's crash history (each took
    /// the host down; crash quarantine); 0 from a host that does not report them.
    public var pluginCrashes: Int = 0
    /// Where the agent's plugin runs: `in_process` or `process` (its own runner,
    /// where `plugin_crashes` counts runner crashes the host survived).
    public var isolation: String = "in_process"
    /// The most recent error, if any.
    public var lastError: String?
    /// The agent's most recent reload, if any (a refused one carries the reason
    /// while the previous version keeps running).
    public var lastReload: ReloadReport?
    /// The refusal of the agent's plugin file when the file now in the plugins
    /// directory is refused (the agent keeps running its previous version); nil otherwise.
    public var refusal: RefusalReport?
    /// The agent's `config:` with every secret redacted (keys the plugin's
    /// `config_schema` marks `"writeOnly": true`, secret-looking names, URL
    /// credentials); nil from a host that does not report it.
    public var config: ConfigValue?
    /// The state tables the agent keeps, in the order it declares them; empty for
    /// a stateless agent (and from a host that does not report them).
    public var tables: [String] = []
    /// Each owned partition's restore from the changelogs: running
    /// (`done` false), or how the last one ended (`total` 0: the local store
    /// was current). Empty for a stateless agent.
    public var restores: [RestoreReport] = []
    /// When records finished since the agent started or was last resumed, with
    /// the process's CPU time then; nil while none did (and from a host that
    /// does not report it).
    public var finishWindow: FinishWindowReport?

    enum CodingKeys: String, CodingKey {
        case name, plugin, version, sha256, state, partitions, lag, processed, retried, refusal, config, tables, restores, isolation
        case finishWindow = "finish_window"
        case stateReason = "state_reason"
        case inFlight = "in_flight"
        case deadLettered = "dead_lettered"
        case pluginCrashes = "plugin_crashes"
        case lastError = "last_error"
        case lastReload = "last_reload"
    }

    /// Absent optionals print as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(plugin, forKey: .plugin)
        try container.encode(version, forKey: .version)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(state, forKey: .state)
        try container.encode(stateReason, forKey: .stateReason)
        try container.encode(partitions, forKey: .partitions)
        try container.encode(lag, forKey: .lag)
        try container.encode(inFlight, forKey: .inFlight)
        try container.encode(processed, forKey: .processed)
        try container.encode(deadLettered, forKey: .deadLettered)
        try container.encode(retried, forKey: .retried)
        try container.encode(pluginCrashes, forKey: .pluginCrashes)
        try container.encode(isolation, forKey: .isolation)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(lastReload, forKey: .lastReload)
        try container.encode(refusal, forKey: .refusal)
        try container.encode(config, forKey: .config)
        try container.encode(tables, forKey: .tables)
        try container.encode(restores, forKey: .restores)
        try container.encode(finishWindow, forKey: .finishWindow)
    }

    /// Reads a report; one from a host older than `plugin` (whose agents were
    /// always named for their plugin) gets the agent's name as its plugin.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        plugin = try container.decodeIfPresent(String.self, forKey: .plugin) ?? name
        version = try container.decode(String.self, forKey: .version)
        sha256 = try container.decode(String.self, forKey: .sha256)
        state = try container.decode(String.self, forKey: .state)
        stateReason = try container.decodeIfPresent(String.self, forKey: .stateReason)
        partitions = try container.decode([Partition].self, forKey: .partitions)
        lag = try container.decodeIfPresent(Int64.self, forKey: .lag)
        inFlight = try container.decode(Int.self, forKey: .inFlight)
        processed = try container.decode(Int.self, forKey: .processed)
        deadLettered = try container.decode(Int.self, forKey: .deadLettered)
        retried = try container.decode(Int.self, forKey: .retried)
        pluginCrashes = try container.decodeIfPresent(Int.self, forKey: .pluginCrashes) ?? 0
        isolation = try container.decodeIfPresent(String.self, forKey: .isolation) ?? "in_process"
        lastError = try container.decodeIfPresent(String.self, forKey: .lastError)
        lastReload = try container.decodeIfPresent(ReloadReport.self, forKey: .lastReload)
        refusal = try container.decodeIfPresent(RefusalReport.self, forKey: .refusal)
        config = try container.decodeIfPresent(ConfigValue.self, forKey: .config)
        tables = try container.decodeIfPresent([String].self, forKey: .tables) ?? []
        restores = try container.decodeIfPresent([RestoreReport].self, forKey: .restores) ?? []
        finishWindow = try container.decodeIfPresent(FinishWindowReport.self, forKey: .finishWindow)
    }
}

/// One partition's restore of an agent's tables from their changelogs, as
/// `restores` of `GET /agents` lists it.
public struct RestoreReport: Codable, Sendable, Equatable {
    /// The input topic.
    public var topic: String
    /// The partition number.
    public var partition: Int32
    /// Changelog records read so far.
    public var restored: Int64
    /// Changelog records to read in all (0: the local store was current).
    public var total: Int64
    /// Whether the restore is finished (the partition is processing).
    public var done: Bool

    /// Creates a report.
    public init(topic: String, partition: Int32, restored: Int64, total: Int64, done: Bool) {
        self.topic = topic
        self.partition = partition
        self.restored = restored
        self.total = total
        self.done = done
    }
}

/// One reload (a change in the plugins directory or a reload request): an
/// agent's `last_reload`, an entry of `reloads`, and the `reload` of
/// `POST /agents/{name}/reload`.
public struct ReloadReport: Codable, Sendable, Equatable {
    /// The agent (or the file's base name when no agent could be read).
    public var agent: String
    /// The plugin file.
    public var file: String
    /// `started`, `upgraded`, `stopped`, `unchanged` or `refused`.
    public var outcome: String
    /// Why the new version was refused (the old one keeps running); nil otherwise.
    public var reason: String?
    /// How long the swap paused the agent's dispatch, in milliseconds (upgrades only).
    public var pauseMilliseconds: Double?
    /// When it happened (ISO 8601, UTC).
    public var at: String

    enum CodingKeys: String, CodingKey {
        case agent, file, outcome, reason, at
        case pauseMilliseconds = "pause_ms"
    }

    /// Absent optionals print as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(file, forKey: .file)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(reason, forKey: .reason)
        try container.encode(pauseMilliseconds, forKey: .pauseMilliseconds)
        try container.encode(at, forKey: .at)
    }
}

/// A plugin file the host refused, as `GET /agents` lists it under `refused`.
public struct RefusalReport: Codable, Sendable, Equatable {
    /// The plugin file.
    public var file: String
    /// The kind of problem (stable: `truncated`, `abiMajorMismatch`, ...).
    public var reason: String
    /// What is wrong and what was expected.
    public var detail: String
    /// When the host refused it (ISO 8601, UTC).
    public var at: String
}

// MARK: GET /plugins

/// The body of `GET /plugins`: the plugins the running agents use.
public struct PluginsReport: Codable, Sendable, Equatable {
    /// The plugins, sorted by name.
    public var plugins: [PluginReport]
}

/// One plugin in use, and the agents that run it.
public struct PluginReport: Codable, Sendable, Equatable {
    /// The plugin's name (its descriptor's; its file is `<name>.so`).
    public var name: String
    /// Its version.
    public var version: String
    /// SHA-256 of its file.
    public var sha256: String
    /// Its file in the plugins directory.
    public var file: String
    /// The ABI version it was built against, e.g. `1.0`.
    public var abi: String
    /// The Swift release that built it (Swift plugins); nil for a C plugin.
    public var swiftRelease: String?
    /// The agents that run it, sorted.
    public var agents: [String]

    enum CodingKeys: String, CodingKey {
        case name, version, sha256, file, abi, agents
        case swiftRelease = "swift_release"
    }

    /// Absent optionals print as null, so scripts can rely on every key being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(file, forKey: .file)
        try container.encode(abi, forKey: .abi)
        try container.encode(swiftRelease, forKey: .swiftRelease)
        try container.encode(agents, forKey: .agents)
    }
}

// MARK: GET /agents/{name}, POST /agents/{name}/pause, POST /agents/{name}/resume
// Each answers one `AgentReport` (above).

// MARK: POST /agents/{name}/reload

/// The body of a successful `POST /agents/{name}/reload`.
public struct ReloadResponse: Codable, Sendable, Equatable {
    /// What the reload did.
    public var reload: ReloadReport
    /// The agent afterwards (null if it no longer runs).
    public var agent: AgentReport?

    /// Creates a response.
    public init(reload: ReloadReport, agent: AgentReport?) {
        self.reload = reload
        self.agent = agent
    }

    /// A missing agent prints as null rather than disappearing.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reload, forKey: .reload)
        try container.encode(agent, forKey: .agent)
    }

    enum CodingKeys: String, CodingKey { case reload, agent }
}

// MARK: POST /topics/{topic}/messages
// The request body is read by `ProduceRequest`, not decoded: its errors name
// the line and the field, and a value may be any JSON.

/// The body of a successful `POST /topics/{topic}/messages`.
public struct ProduceResponse: Codable, Sendable, Equatable {
    /// The topic written to.
    public var topic: String
    /// Records the broker acknowledged.
    public var produced: Int

    /// Creates a response.
    public init(topic: String, produced: Int) {
        self.topic = topic
        self.produced = produced
    }
}

// MARK: GET /topics/{topic}/messages

/// The body of `GET /topics/{topic}/messages`: every record of a topic of the
/// embedded `memory://` broker, partition by partition, in offset order.
public struct TopicRecordsReport: Codable, Sendable, Equatable {
    /// One stored record; key, value and header values as UTF-8 text.
    public struct Record: Codable, Sendable, Equatable {
        /// Its partition.
        public var partition: Int32
        /// Its offset in the partition.
        public var offset: Int64
        /// Its key (nil: null key).
        public var key: String?
        /// Its value (nil: null value, a tombstone).
        public var value: String?
        /// Its headers by name (the last one wins when a name repeats).
        public var headers: [String: String]

        /// Creates a record report.
        public init(partition: Int32, offset: Int64, key: String?, value: String?, headers: [String: String]) {
            self.partition = partition
            self.offset = offset
            self.key = key
            self.value = value
            self.headers = headers
        }
    }

    /// The topic read.
    public var topic: String
    /// Its records.
    public var records: [Record]

    /// Creates a report.
    public init(topic: String, records: [Record]) {
        self.topic = topic
        self.records = records
    }
}
