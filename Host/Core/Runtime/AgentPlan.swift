import Foundation

/// What the plugins directory asks for: the agents (see ``AgentBinding``),
/// the settings read for each, and the sidecars that could not be read.
struct AgentPlan {
    /// The agents by name.
    var bindings: [String: AgentBinding] = [:]
    /// Each agent's settings (sidecar over the host's defaults), or why they could not be read.
    var settings: [String: Result<AgentSettings, any Error>] = [:]

    /// Reads the sidecars in `directory` with `readSidecar` and pairs every
    /// agent with its plugin file. `pluginNames` are the plugin files present
    /// (base names of `*.so`), `sidecarNames` the sidecars (base names of `*.yaml`).
    static func make(directory: String, pluginNames: Set<String>, sidecarNames: Set<String>,
                     defaults: () throws -> AgentSettings,
                     readSidecar: (_ sidecar: String, _ refusing: String) throws -> AgentSettings) -> AgentPlan {
        var plan = AgentPlan()
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for name in sidecarNames.sorted() {
            let sidecar = prefix + name + ".yaml"
            let peeked = peekPlugin(sidecar)
            // A lone NAME.yaml (no NAME.so, no plugin: key) names no agent: it waits for NAME.so.
            guard peeked != nil || pluginNames.contains(name) else { continue }
            let read = Result { try readSidecar(sidecar, prefix + name + ".so") }
            // A sidecar that cannot be read still names its plugin where that can be
            // told, so a typo elsewhere in it does not start that plugin's default agent.
            let plugin = (try? read.get())?.plugin ?? peeked ?? name
            plan.bindings[name] = AgentBinding(agent: name, plugin: plugin, pluginFile: prefix + plugin + ".so",
                                               sidecar: sidecar)
            plan.settings[name] = pluginNames.contains(plugin) ? read : .failure(MissingPlugin(sidecar: sidecar, plugin: plugin))
        }
        let named = Set(plan.bindings.values.map(\.plugin))
        for plugin in pluginNames.sorted() where !named.contains(plugin) && plan.bindings[plugin] == nil {
            plan.bindings[plugin] = AgentBinding(agent: plugin, plugin: plugin, pluginFile: prefix + plugin + ".so", sidecar: nil)
            plan.settings[plugin] = Result { try defaults() }
        }
        return plan
    }

    /// The plugin files and sidecars of `directory` (dotfiles and temporary names left out).
    static func listing(_ directory: String) throws -> (plugins: Set<String>, sidecars: Set<String>) {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }
        func stems(_ suffix: String) -> Set<String> {
            Set(names.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) })
        }
        return (stems(".so"), stems(".yaml"))
    }

    /// The `plugin:` key of a sidecar that failed to read, when a top-level
    /// line `plugin: NAME` says it; nil otherwise. Nothing here is trusted and
    /// nothing is parsed as YAML (no aliases, no FIFOs opened): it only keeps a
    /// broken sidecar's plugin from starting as a default agent.
    private static func peekPlugin(_ sidecar: String) -> String? {
        var status = stat()
        guard lstat(sidecar, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size <= 1 << 20,
              let text = try? String(contentsOfFile: sidecar, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("plugin:") {
            let value = line.dropFirst("plugin:".count).split(separator: "#").first?
                .trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) ?? ""
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// A sidecar names a plugin that is not in the plugins directory.
    struct MissingPlugin: Error, CustomStringConvertible {
        let sidecar: String
        let plugin: String
        var description: String {
            "\(sidecar): plugin: names plugin \"\(plugin)\", but there is no \(plugin).so in the plugins directory"
        }
    }
}
