import Foundation
import Metrics

/// The host's own metrics for one agent, created once and updated per batch.
struct AgentMetrics: Sendable {
    let recordsIn: Counter
    let recordsProcessed: Counter
    let deadLettered: Counter
    let retried: Counter
    let produced: Counter
    /// Crashes of the agent's plugin the host found at its start (crash quarantine).
    let pluginCrashes: Counter
    let batchDuration: Timer
    let inFlight: Gauge
    /// When the agent last committed offsets (Unix seconds); its creation time until then.
    let lastCommit: Gauge

    /// The metrics of agent `agent`, labelled with the plugin it runs too
    /// (one plugin can run as several agents).
    init(agent: String, plugin: String) {
        let dimensions = [("agent", agent), ("plugin", plugin)]
        recordsIn = Counter(label: "sluice_records_in_total", dimensions: dimensions)
        recordsProcessed = Counter(label: "sluice_records_processed_total", dimensions: dimensions)
        deadLettered = Counter(label: "sluice_records_dead_lettered_total", dimensions: dimensions)
        retried = Counter(label: "sluice_records_retried_total", dimensions: dimensions)
        produced = Counter(label: "sluice_records_produced_total", dimensions: dimensions)
        pluginCrashes = Counter(label: "sluice_plugin_crashes_total", dimensions: dimensions)
        batchDuration = Timer(label: "sluice_batch_duration_seconds", dimensions: dimensions)
        inFlight = Gauge(label: "sluice_records_in_flight", dimensions: dimensions)
        lastCommit = Gauge(label: "sluice_last_commit_timestamp_seconds", dimensions: dimensions)
        // The age of the last commit counts from the agent's start until it first commits.
        recordCommit()
    }

    /// Marks now as the time of the agent's last commit.
    func recordCommit() {
        lastCommit.record(Date().timeIntervalSince1970)
    }
}
