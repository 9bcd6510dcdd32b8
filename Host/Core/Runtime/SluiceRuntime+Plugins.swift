/// The plugins the running agents use: one image can run as several agents.
extension SluiceRuntime {
    /// Each plugin in use (the image its agents run now) with its agents'
    /// names, sorted by plugin name. Agents of one plugin in the middle of an
    /// upgrade may run two versions for a moment: the newest listed wins.
    public var pluginsInUse: [(image: PluginImage, agents: [String])] {
        let running = lock.withLock { Array(runners.values) }
        var byPlugin: [String: (image: PluginImage, agents: [String])] = [:]
        for runner in running {
            let image = runner.image
            var entry = byPlugin[image.name] ?? (image, [])
            entry.agents.append(runner.name)
            byPlugin[image.name] = entry
        }
        return byPlugin.values.map { ($0.image, $0.agents.sorted()) }.sorted { $0.image.name < $1.image.name }
    }
}
