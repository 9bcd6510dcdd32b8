import Foundation
import Logging

/// Hot reload: the plugins directory changed (or an operator asked), and the
/// agent of one plugin file is brought in line with its file and sidecar.
extension SluiceRuntime {
    /// Brings the agent of `NAME.so` / `NAME.yaml` in line with the files:
    /// start, upgrade in place, restart (settings changed), stop, or refuse and
    /// keep what runs.
    @discardableResult
    func reconcile(_ base: String) -> ReloadEvent {
        reloadLock.withLock {
            // The watcher may still hand over changes it saw while stop() ran
            // (stop waits for it only so long): a stopped host starts nothing.
            guard !lock.withLock({ stopped }) else {
                return ReloadEvent(agent: base, file: configuration.pluginsDirectory + "/" + base + ".so",
                                   outcome: .refused("the host has stopped"), pause: nil, at: Date())
            }
            return reconcileHoldingReloadLock(base)
        }
    }

    func reconcileHoldingReloadLock(_ base: String) -> ReloadEvent {
        let file = configuration.pluginsDirectory + "/" + base + ".so"
        let current: AgentRunner? = lock.withLock { agentsByFile[base].flatMap { runners[$0] } }
        let (event, refusal) = reconcileLocked(base: base, file: file, current: current)
        lock.withLock {
            events.append(event)
            if events.count > 100 { events.removeFirst(events.count - 100) }
        }
        if let refusal {
            recordRefusal(refusal, runningVersionKept: current != nil)
        } else {
            // Removed, or accepted (started, upgraded, unchanged, disabled): no longer refused.
            clearRefusal(ofFile: base)
        }
        switch event.outcome {
        case .refused:
            // Logged with the refusal. A refused version keeps no private copy; the running agents' stay.
            loader.pruneImages(keeping: Set(lock.withLock { runners.values.map(\.image.privatePath) }))
        case .unchanged:
            logger.debug("plugin file unchanged", metadata: ["plugin.file": .string(file)])
        default:
            var metadata: Logger.Metadata = ["plugin.file": .string(file), "agent": .string(event.agent), "outcome": .string(event.outcome.description)]
            if let pause = event.pause { metadata["pause_ms"] = .stringConvertible(pause.nanoseconds / 1_000_000) }
            logger.notice("plugin reloaded", metadata: metadata)
        }
        return event
    }

    /// The reload of `file`, and the refusal to list when it was refused.
    func reconcileLocked(base: String, file: String, current: AgentRunner?) -> (ReloadEvent, PluginRefusal?) {
        func event(_ agent: String, _ outcome: ReloadEvent.Outcome, pause: Duration? = nil) -> (ReloadEvent, PluginRefusal?) {
            (ReloadEvent(agent: agent, file: file, outcome: outcome, pause: pause, at: Date()), nil)
        }
        // A refusal is reported under the file's own agent name: a file that
        // claims another agent's name never reads as that agent's reload.
        func refuse(_ reason: PluginRefusal.Reason, _ error: any Error) -> (ReloadEvent, PluginRefusal?) {
            let refusal = error as? PluginRefusal ?? PluginRefusal(file: file, reason: reason, detail: "\(error)")
            return (ReloadEvent(agent: current?.name ?? base, file: file, outcome: .refused("\(error)"),
                                pause: nil, at: Date()), refusal)
        }
        guard FileManager.default.fileExists(atPath: file) else {
            guard let current else { return event(base, .unchanged) }
            current.stop()
            lock.withLock {
                runners[current.name] = nil
                agentsByFile[base] = nil
            }
            return event(current.name, .stopped)
        }
        let image: PluginImage
        do {
            image = try loader.loadAgent(file: file)
        } catch {
            return refuse(.loadFailed, error)
        }
        let settings: AgentSettings
        do {
            settings = try loader.readSidecar(forPlugin: file, defaults: configuration.agentDefaults,
                                              allowedEnvironment: configuration.pluginEnvironment)
        } catch {
            return refuse(.invalidConfiguration, error)
        }
        if let current, current.image.sha256 == image.sha256, current.settings == settings {
            return event(current.name, .unchanged)
        }
        guard settings.enabled else {
            if let current {
                current.stop()
                lock.withLock {
                    runners[current.name] = nil
                    agentsByFile[base] = nil
                }
            }
            return event(image.name, .stopped)
        }
        // Same agent, same settings: swap the instance in place (no rebalance).
        if let current, current.name == image.name, current.settings == settings {
            do {
                let pause = try current.upgrade(to: image)
                logAgentStarted(current)
                return event(current.name, .upgraded, pause: pause)
            } catch {
                return refuse(.createFailed, error)
            }
        }
        // New agent, or new settings: create the new runner first, then swap.
        let next: AgentRunner
        do {
            next = try makeRunner(image, settings)
        } catch {
            return refuse(.createFailed, error)
        }
        let started = ConditionLock.monotonicNow()
        if let current {
            current.stop()
            lock.withLock { runners[current.name] = nil }
        }
        do {
            try next.start()
        } catch {
            next.stop()
            return refuse(.createFailed, error)
        }
        lock.withLock {
            runners[next.name] = next
            agentsByFile[base] = next.name
        }
        logAgentStarted(next)
        return current == nil ? event(next.name, .started) : event(next.name, .upgraded, pause: ConditionLock.monotonicNow() - started)
    }
}
