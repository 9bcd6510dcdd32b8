import Foundation
import Logging

/// Everything the host reads from sluice.yaml and `SLUICE_*` variables.
/// Per-agent settings are not here: they live in sidecars (`AgentSettings`),
/// which start from `agentDefaults`.
public struct HostConfiguration: Sendable, Equatable {
    /// Where records come from and go to (yaml: `broker`, env `SLUICE_BROKER`).
    public var broker: BrokerAddress = .memory
    /// The directory watched for plugins `NAME.so` and sidecars `NAME.yaml`
    /// (yaml: `plugins_directory`, env `SLUICE_PLUGINS_DIRECTORY`).
    public var pluginsDirectory: String = "plugins"
    /// The host's own state; private copies of plugins live in `<data>/images`
    /// (yaml: `data_directory`, env `SLUICE_DATA_DIRECTORY`).
    public var dataDirectory: String
    /// Consumer-group prefix: agent groups are `"<group>.<agent>"`
    /// (yaml: `group`, env `SLUICE_GROUP`).
    public var group: String = "sluice"
    /// Worker threads for plugin calls (yaml: `workers`, env `SLUICE_WORKERS`).
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Log level (yaml: `log_level`, env `SLUICE_LOG_LEVEL`).
    public var logLevel: Logger.Level = .info
    /// How often finished offsets are committed (yaml: `commit_interval`, env `SLUICE_COMMIT_INTERVAL`).
    public var commitInterval: Duration = .seconds(1)
    /// How long a graceful shutdown may drain in-flight work
    /// (yaml: `shutdown_timeout`, env `SLUICE_SHUTDOWN_TIMEOUT`).
    public var shutdownTimeout: Duration = .seconds(30)
    /// Layout of the `memory://` transport (yaml: `memory`).
    public var memory: MemoryTransportSettings = .init()
    /// librdkafka properties passed through as strings
    /// (yaml: `kafka`, env `SLUICE_KAFKA_<PROPERTY>`).
    public var kafka: [String: String] = [:]
    /// The admin HTTP API (yaml: `admin`, env `SLUICE_ADMIN_*`).
    public var admin: AdminSettings = .init()
    /// Tracing with W3C trace context and OTLP export (yaml: `tracing`).
    public var tracing: TracingSettings = .init()
    /// What every agent starts from before its sidecar (yaml: `defaults`).
    public var agentDefaults: AgentSettings = .init()
    /// The environment variables a sidecar may make its plugin read, through a
    /// `*_env` key or `${NAME}` (yaml: `plugin_environment`); none by default.
    /// Never one the host reads itself (`SLUICE_ADMIN_TOKEN`, `SLUICE_KAFKA_*`, ...).
    public var pluginEnvironment: [String] = []
    /// The gid of a group whose write permission on the plugins directory,
    /// its files and sidecars is accepted (yaml: `trusted_group`, a group name
    /// or gid); nil: no group may write there.
    public var trustedGroup: UInt32?

    /// All defaults; the data directory follows this process's environment.
    public init() {
        self.init(environment: ProcessInfo.processInfo.environment)
    }

    /// All defaults; the data directory follows `environment`
    /// (`XDG_STATE_HOME`, else `HOME`).
    public init(environment: [String: String]) {
        dataDirectory = Self.defaultDataDirectory(environment: environment)
    }

    /// `$XDG_STATE_HOME/sluice` when that is an absolute path (as the XDG base
    /// directory spec requires), else `$HOME/.local/state/sluice`.
    public static func defaultDataDirectory(environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/sluice"
        }
        return homeDirectory(environment: environment) + "/.local/state/sluice"
    }

    /// `$HOME`, else the account's home directory.
    static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }
}
