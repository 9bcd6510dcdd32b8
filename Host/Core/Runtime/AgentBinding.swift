/// One agent the plugins directory asks for: its name, the plugin it runs
/// and the sidecar that configures it.
///
/// A sidecar `NAME.yaml` is an agent called `NAME`, running the plugin its
/// `plugin:` key names (without one, `NAME.so`); a plugin file `NAME.so` that
/// no sidecar names is an agent called `NAME` with the host's defaults. So
/// one plugin can run as several agents, and `NAME.so` + `NAME.yaml` is one
/// agent as it always was.
struct AgentBinding: Sendable, Equatable {
    /// The agent's name.
    let agent: String
    /// The plugin's name: its file is `<plugins directory>/<plugin>.so`.
    let plugin: String
    /// The plugin file.
    let pluginFile: String
    /// The sidecar file; nil for a plugin's default agent.
    let sidecar: String?

    /// Whether a change of the files of base name `base` concerns this agent.
    func concerns(_ base: String) -> Bool {
        base == plugin || base == agent
    }

    /// The file a refusal of this agent's configuration names: the plugin
    /// file for `NAME.so` + `NAME.yaml` (as it always did), else the sidecar.
    var configurationFile: String {
        sidecar == nil || agent == plugin ? pluginFile : sidecar!
    }
}
