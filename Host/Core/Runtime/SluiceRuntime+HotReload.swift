import Foundation
import Logging

/// Hot reload: the plugins directory changed (or an operator asked), and the
/// agents those files concern are brought in line with them, one at a time.
extension SluiceRuntime {
    /// Brings in line with the files every agent that the files of base names
    /// `changed` concern: the agents of a changed plugin file (each upgraded in
    /// place, one after another), the agent of a changed sidecar, and agents
    /// that start or stop because a sidecar now names, or no longer names, a
    /// plugin. Returns what happened to each.
    @discardableResult
    func reconcile(_ changed: Set<String>) -> [ReloadEvent] {
        reloadLock.withLock {
            // The watcher may still hand over changes it saw while stop() ran
            // (stop waits for it only so long): a stopped host starts nothing.
            guard !lock.withLock({ stopped }) else {
                return changed.sorted().map { base in
                    ReloadEvent(agent: base, file: configuration.pluginsDirectory + "/" + base + ".so",
                                outcome: .refused("the host has stopped"), pause: nil, at: Date())
                }
            }
            return reconcileHoldingReloadLock(changed: changed, onlyAgent: nil)
        }
    }

    /// ``reconcile(_:)`` for the files of one base name.
    @discardableResult
    func reconcile(_ base: String) -> ReloadEvent {
        let events = reconcile([base])
        return events.first { $0.agent == base } ?? events.first
            ?? ReloadEvent(agent: base, file: configuration.pluginsDirectory + "/" + base + ".so",
                           outcome: .unchanged, pause: nil, at: Date())
    }

    /// Brings agent `agent` alone in line with its files (an operator's reload).
    func reconcile(agent: String) -> ReloadEvent {
        reloadLock.withLock {
            guard !lock.withLock({ stopped }) else {
                return ReloadEvent(agent: agent, file: "", outcome: .refused("the host has stopped"), pause: nil, at: Date())
            }
            return reconcileHoldingReloadLock(changed: [], onlyAgent: agent).first
                ?? ReloadEvent(agent: agent, file: "", outcome: .unchanged, pause: nil, at: Date())
        }
    }

    /// What the plugins directory asks for now.
    func currentPlan() -> AgentPlan {
        let directory = configuration.pluginsDirectory
        let listing = (try? AgentPlan.listing(directory)) ?? (plugins: [], sidecars: [])
        return AgentPlan.make(
            directory: directory, pluginNames: listing.plugins, sidecarNames: listing.sidecars,
            defaults: { [configuration] in
                try PluginEnvironmentRule.check(configuration.agentDefaults.config, file: nil, key: "defaults.config",
                                                allowed: configuration.pluginEnvironment)
                return configuration.agentDefaults
            },
            readSidecar: { [loader, configuration] sidecar, file in
                try loader.readSidecar(at: sidecar, refusing: file, defaults: configuration.agentDefaults,
                                       allowedEnvironment: configuration.pluginEnvironment)
            })
    }

    func reconcileHoldingReloadLock(changed: Set<String>, onlyAgent: String?) -> [ReloadEvent] {
        let plan = currentPlan()
        let running = lock.withLock { bindings }
        let concerned: Set<String>
        if let onlyAgent {
            concerned = [onlyAgent]
        } else {
            let all = Array(plan.bindings.values) + Array(running.values)
            concerned = Set(all.filter { binding in changed.contains { binding.concerns($0) } }.map(\.agent))
        }
        // A sidecar that now names (or no longer names) a plugin starts or stops
        // that plugin's default agent: every agent of a concerned plugin is looked at.
        var agents = concerned
        if onlyAgent == nil {
            let plugins = Set((Array(plan.bindings.values) + Array(running.values))
                .filter { concerned.contains($0.agent) }.map(\.plugin))
            for binding in Array(plan.bindings.values) + Array(running.values) where plugins.contains(binding.plugin) {
                agents.insert(binding.agent)
            }
        }
        var images: [String: Result<PluginImage, PluginRefusal>] = [:]
        var events: [ReloadEvent] = []
        for agent in agents.sorted() {
            let (event, refusal) = reconcileAgent(agent, binding: plan.bindings[agent],
                                                  settings: plan.settings[agent], images: &images)
            // An agent looked at only because its plugin's agents changed, and unchanged, is no event.
            if case .unchanged = event.outcome, !concerned.contains(agent) { continue }
            record(event, refusal: refusal, binding: plan.bindings[agent] ?? running[agent])
            events.append(event)
        }
        // Files removed that no agent ran from (a refused file, say) leave the refusals list.
        for base in changed where !agents.contains(base) {
            let prefix = configuration.pluginsDirectory + "/" + base
            if !FileManager.default.fileExists(atPath: prefix + ".so"), !FileManager.default.fileExists(atPath: prefix + ".yaml") {
                clearRefusal(ofFile: base)
            }
        }
        if events.contains(where: { if case .refused = $0.outcome { return true } else { return false } }) {
            // A refused version keeps no private copy; the running agents' stay.
            loader.pruneImages(keeping: Set(lock.withLock { runners.values.map(\.image.privatePath) }))
        }
        return events
    }

    /// Keeps `event`, lists or clears the refusal, and logs.
    private func record(_ event: ReloadEvent, refusal: PluginRefusal?, binding: AgentBinding?) {
        lock.withLock {
            events.append(event)
            if events.count > 100 { events.removeFirst(events.count - 100) }
        }
        if let refusal {
            recordRefusal(refusal, runningVersionKept: lock.withLock { runners[event.agent] } != nil)
        } else if let binding {
            // Removed, or accepted (started, upgraded, unchanged, disabled): no longer refused.
            clearRefusal(ofFile: binding.agent)
            clearRefusal(ofFile: binding.plugin)
        }
        switch event.outcome {
        case .refused:
            break  // logged with the refusal
        case .unchanged:
            logger.debug("plugin file unchanged", metadata: ["plugin.file": .string(event.file), "agent": .string(event.agent)])
        default:
            var metadata: Logger.Metadata = ["plugin.file": .string(event.file), "agent": .string(event.agent),
                                             "outcome": .string(event.outcome.description)]
            if let pause = event.pause { metadata["pause_ms"] = .stringConvertible(pause.nanoseconds / 1_000_000) }
            logger.notice("plugin reloaded", metadata: metadata)
        }
    }

    /// Brings agent `agent` in line with `binding` (nil: the directory no
    /// longer asks for it) and `settings`; returns the event, and the refusal
    /// to list when it was refused. `images` caches the plugin files loaded in
    /// this pass, so the agents of one plugin share one image.
    func reconcileAgent(_ agent: String, binding: AgentBinding?, settings read: Result<AgentSettings, any Error>?,
                        images: inout [String: Result<PluginImage, PluginRefusal>]) -> (ReloadEvent, PluginRefusal?) {
        let current: AgentRunner? = lock.withLock { runners[agent] }
        let file = binding?.pluginFile ?? current?.image.sourcePath ?? configuration.pluginsDirectory + "/" + agent + ".so"
        func event(_ outcome: ReloadEvent.Outcome, pause: Duration? = nil) -> (ReloadEvent, PluginRefusal?) {
            (ReloadEvent(agent: agent, file: file, outcome: outcome, pause: pause, at: Date()), nil)
        }
        func refuse(_ reason: PluginRefusal.Reason, _ error: any Error, file: String) -> (ReloadEvent, PluginRefusal?) {
            let refusal = error as? PluginRefusal ?? PluginRefusal(file: file, reason: reason, detail: "\(error)")
            return (ReloadEvent(agent: agent, file: file, outcome: .refused("\(error)"), pause: nil, at: Date()), refusal)
        }
        func stopCurrent() {
            guard let current else { return }
            current.stop()
            lock.withLock {
                runners[agent] = nil
                bindings[agent] = nil
            }
        }
        guard let binding, FileManager.default.fileExists(atPath: binding.pluginFile) else {
            let wasRunning = current != nil
            stopCurrent()
            // A sidecar that names a plugin no file provides is listed as refused.
            if let binding, let sidecar = binding.sidecar, binding.plugin != binding.agent {
                let missing = AgentPlan.MissingPlugin(sidecar: sidecar, plugin: binding.plugin)
                let refusal = PluginRefusal(file: sidecar, reason: .invalidConfiguration, detail: "\(missing)")
                return (ReloadEvent(agent: agent, file: file, outcome: wasRunning ? .stopped : .refused("\(missing)"),
                                    pause: nil, at: Date()), refusal)
            }
            return event(wasRunning ? .stopped : .unchanged)
        }
        let settings: AgentSettings
        switch read {
        case .success(let value)?: settings = value
        case .failure(let error)?: return refuse(.invalidConfiguration, error, file: binding.configurationFile)
        case nil: return refuse(.invalidConfiguration, AgentPlan.MissingPlugin(sidecar: binding.sidecar ?? file, plugin: binding.plugin),
                                file: binding.configurationFile)
        }
        let image: PluginImage
        let loaded: Result<PluginImage, PluginRefusal>
        if settings.isolation == .process {
            // Never mapped here: a runner of the agent's own describes it (per agent: its limits go with it).
            loaded = Result { () throws(PluginRefusal) in
                try loader.loadIsolated(file: binding.pluginFile, agent: agent, settings: settings)
            }
        } else {
            loaded = images[binding.plugin] ?? Result { () throws(PluginRefusal) in try loader.loadAgent(file: binding.pluginFile) }
            images[binding.plugin] = loaded
        }
        switch loaded {
        case .success(let value): image = value
        case .failure(let refusal): return refuse(.loadFailed, refusal, file: binding.pluginFile)
        }
        if let current, current.image.sha256 == image.sha256, current.settings == settings {
            lock.withLock { bindings[agent] = binding }
            return event(.unchanged)
        }
        guard settings.enabled else {
            stopCurrent()
            return event(.stopped)
        }
        // Same plugin, same settings: swap the instance in place (no rebalance).
        if let current, current.image.name == image.name, current.settings == settings {
            do {
                let pause = try current.upgrade(to: image)
                lock.withLock { bindings[agent] = binding }
                logAgentStarted(current)
                return event(.upgraded, pause: pause)
            } catch {
                return refuse(.createFailed, error, file: binding.pluginFile)
            }
        }
        // New agent, another plugin or new settings: create the new runner first, then swap.
        let next: AgentRunner
        do {
            next = try makeRunner(image, settings, agent: agent)
        } catch {
            return refuse(.createFailed, error, file: binding.pluginFile)
        }
        let started = ConditionLock.monotonicNow()
        if let current {
            current.stop()
            lock.withLock { runners[agent] = nil }
        }
        do {
            try next.start()
        } catch {
            next.stop()
            return refuse(.createFailed, error, file: binding.pluginFile)
        }
        lock.withLock {
            runners[agent] = next
            bindings[agent] = binding
        }
        logAgentStarted(next)
        return current == nil ? event(.started) : event(.upgraded, pause: ConditionLock.monotonicNow() - started)
    }
}
