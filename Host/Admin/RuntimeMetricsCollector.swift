import Prometheus
import SluiceHost
import Synchronization

/// The metrics computed from the runtime at scrape time (the rest are
/// reported by the host as they happen):
/// - `sluice_loaded_images`: plugin images mapped into the process (each
///   reload adds one; they are never unloaded);
/// - `sluice_agents{state}`: agents per state;
/// - `sluice_agent_state{agent,state}`: 1 for the state each agent is in, 0
///   for the others (so an alert can name the agent that failed);
/// - `sluice_plugins_refused`: plugin files refused now (at start or since;
///   a file counts until it is removed or a later version is accepted);
/// - `sluice_reloads_total{outcome="ok"|"failed"}`: reloads that changed
///   something (started, upgraded, stopped) or were refused;
/// - `sluice_consumer_lag{agent,topic,partition}`: records not yet committed,
///   per assigned partition: the end offset minus the group's committed
///   offset (on `kafka://`, the high watermark of the last fetch response).
///
/// They live in a registry of their own, per admin server, emitted after the
/// process-wide one: two servers in one process (tests) do not share them.
final class RuntimeMetricsCollector: Sendable {
    private static let states = ["running", "paused", "failed", "stopped"]

    private let runtime: SluiceRuntime
    private let registry: PrometheusCollectorRegistry
    private let loadedImages: Gauge
    private let refusedPlugins: Gauge
    private let agentsByState: [String: Gauge]
    private let reloads: [String: Counter]

    private struct State {
        /// The newest reload event already counted.
        var lastCounted: ReloadEvent?
        /// Lag gauges by (agent, partition), so partitions that go away can be dropped.
        var lag: [LagKey: Gauge] = [:]
        /// State gauges per agent (one per state), so agents that go away can be dropped.
        var agentStates: [String: [String: Gauge]] = [:]
    }

    private struct LagKey: Hashable {
        let agent: String
        let partition: TopicPartition
    }

    private let state = Mutex(State())

    init(runtime: SluiceRuntime, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.runtime = runtime
        self.registry = registry
        loadedImages = registry.makeGauge(descriptor: Self.descriptor(
            "sluice_loaded_images", "Plugin images mapped into the process (never unloaded)."))
        refusedPlugins = registry.makeGauge(descriptor: Self.descriptor(
            "sluice_plugins_refused", "Plugin files refused now (at start or since, until removed or accepted)."))
        agentsByState = Dictionary(uniqueKeysWithValues: Self.states.map { state in
            (state, registry.makeGauge(descriptor: Self.descriptor("sluice_agents", "Agents per state."),
                               labels: [("state", state)]))
        })
        reloads = Dictionary(uniqueKeysWithValues: ["ok", "failed"].map { outcome in
            (outcome, registry.makeCounter(
                descriptor: Self.descriptor("sluice_reloads_total",
                                            "Plugin reloads, by outcome (failed: refused, the old version kept)."),
                labels: [("outcome", outcome)]))
        })
    }

    /// Brings the scrape-time metrics up to date and appends them to `buffer`.
    func emit(into buffer: inout [UInt8]) {
        collect()
        registry.emit(into: &buffer)
    }

    /// Brings the scrape-time metrics up to date.
    func collect() {
        loadedImages.set(Int64(runtime.loader.loadedImageCount))
        refusedPlugins.set(Int64(runtime.refusals.count))
        let statuses = runtime.agents
        var counts = Dictionary(uniqueKeysWithValues: Self.states.map { ($0, 0) })
        for status in statuses { counts[Self.stateName(status.state), default: 0] += 1 }
        for (name, gauge) in agentsByState { gauge.set(Int64(counts[name] ?? 0)) }

        let events = runtime.reloadEvents
        state.withLock { state in
            countNewReloads(events, state: &state)
            updateAgentStates(statuses, state: &state)
            updateLag(statuses, state: &state)
        }
    }

    /// Counts the events after the last one counted (the runtime keeps the
    /// last 100; an event that came and went between two scrapes is missed).
    private func countNewReloads(_ events: [ReloadEvent], state: inout State) {
        var fresh = events[...]
        if let last = state.lastCounted, let index = events.lastIndex(of: last) {
            fresh = events[(index + 1)...]
        }
        for event in fresh {
            if case .unchanged = event.outcome { continue }
            reloads[event.outcome.label]?.increment()
        }
        if let newest = events.last { state.lastCounted = newest }
    }

    /// One gauge per agent and state: 1 for the agent's state now, 0 for the others.
    private func updateAgentStates(_ statuses: [AgentStatus], state: inout State) {
        let current = Dictionary(statuses.map { ($0.name, Self.stateName($0.state)) }) { first, _ in first }
        for (agent, gauges) in state.agentStates where current[agent] == nil {
            for gauge in gauges.values { registry.unregisterGauge(gauge) }
            state.agentStates[agent] = nil
        }
        for (agent, agentState) in current {
            let gauges = state.agentStates[agent] ?? Dictionary(uniqueKeysWithValues: Self.states.map { name in
                (name, registry.makeGauge(
                    descriptor: Self.descriptor("sluice_agent_state",
                                                "1 for the state the agent is in, 0 for the others."),
                    labels: [("agent", agent), ("state", name)]))
            })
            state.agentStates[agent] = gauges
            for (name, gauge) in gauges { gauge.set(Int64(name == agentState ? 1 : 0)) }
        }
    }

    /// Lag per assigned partition: end offset minus committed offset, as the transport knows them.
    private func updateLag(_ statuses: [AgentStatus], state: inout State) {
        var current: [LagKey: Int64] = [:]
        for status in statuses {
            guard let runner = runtime.agent(status.name) else { continue }
            for (partition, lag) in runtime.transport.lag(group: runner.group, partitions: status.partitions) {
                current[LagKey(agent: status.name, partition: partition)] = lag
            }
        }
        for (key, gauge) in state.lag where current[key] == nil {
            registry.unregisterGauge(gauge)
            state.lag[key] = nil
        }
        for (key, lag) in current {
            let gauge = state.lag[key] ?? registry.makeGauge(
                descriptor: Self.descriptor("sluice_consumer_lag",
                                            "Records of the partition not yet committed by the agent's group."),
                labels: [("agent", key.agent), ("topic", key.partition.topic),
                         ("partition", String(key.partition.partition))])
            state.lag[key] = gauge
            gauge.set(lag)
        }
    }

    /// A descriptor whose full name is `name` (no namespace or unit parts).
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    private static func stateName(_ state: AgentStatus.State) -> String {
        switch state {
        case .running: "running"
        case .paused: "paused"
        case .failed: "failed"
        case .stopped: "stopped"
        }
    }
}
