/// Where an agent's plugin runs (sidecar key `isolation`).
public enum IsolationMode: String, Sendable, Equatable, CaseIterable {
    /// Loaded into the host process: the fastest calls; a crash in the plugin
    /// takes the host down (the crash quarantine then isolates the record).
    case inProcess = "in_process"
    /// In a `sluice-plugin-runner` process of its own: a crash costs the agent
    /// a restart of its runner, never the host.
    case process
}
