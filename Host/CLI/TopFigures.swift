import Foundation
import SluiceAdmin

/// What `sluice top` shows, computed from one `GET /agents` answer and the one
/// before it (records per second need two polls of the cumulative counters).
///
/// Pure: the same two answers and interval always give the same figures, so
/// the screen and the plain lines are tested as functions.
struct TopFigures: Sendable, Equatable {
    /// One agent's row.
    struct Agent: Sendable, Equatable {
        /// The agent's name (its sidecar's, or its plugin's when no sidecar names the plugin).
        var name: String
        /// The plugin's version.
        var version: String
        /// `running`, `paused`, `failed` or `stopped`.
        var state: String
        /// Why it is paused or failed.
        var stateReason: String?
        /// Assigned partitions, `topic[0-3,5]` per topic; `-` when none.
        var partitions: String
        /// Records finished (processed or dead-lettered) per second since the
        /// previous poll; nil on the first poll or when a counter went back (a reload).
        var recordsPerSecond: Double?
        /// Records finished with OK or SKIP.
        var processed: Int
        /// Records not yet committed by the agent's group; nil when unknown.
        var consumerLag: Int64?
        /// Records handed out and not yet finished.
        var inFlight: Int
        /// Redeliveries.
        var retried: Int
        /// Records sent to the dead-letter topic.
        var deadLettered: Int
        /// The most recent error, or the reason of a refused reload (the old version runs on).
        var lastError: String?
    }

    /// The header line: the host and the totals over its agents.
    struct Host: Sendable, Equatable {
        /// `memory://` or `kafka://…`; nil from a host that does not say.
        var transport: String?
        /// Seconds since the host started; nil from a host that does not say.
        var uptimeSeconds: Double?
        /// How many agents, and how many of them run.
        var agents: Int
        var running: Int
        /// Sums over the agents.
        var recordsPerSecond: Double?
        var processed: Int
        var consumerLag: Int64?
        var inFlight: Int
        var retried: Int
        var deadLettered: Int
        /// Plugin files the host refuses now.
        var refusedFiles: Int
    }

    var host: Host
    var agents: [Agent]

    /// The figures of `current`; `previous` is the answer of the poll
    /// `elapsedSeconds` earlier (nil on the first poll: no rates yet).
    init(current: AgentsReport, previous: AgentsReport? = nil, elapsedSeconds: Double = 0) {
        let before = Dictionary((previous?.agents ?? []).map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        agents = current.agents.map { agent in
            let rate = before[agent.name].flatMap { Self.rate(from: $0, to: agent, seconds: elapsedSeconds) }
            let refusedReload = agent.lastReload.flatMap { reload in
                reload.outcome == "refused" ? "reload refused: \(reload.reason ?? "")" : nil
            }
            return Agent(name: agent.name, version: agent.version, state: agent.state, stateReason: agent.stateReason,
                         partitions: AgentsCommand.partitions(agent.partitions), recordsPerSecond: rate,
                         processed: agent.processed, consumerLag: agent.lag, inFlight: agent.inFlight,
                         retried: agent.retried, deadLettered: agent.deadLettered,
                         lastError: agent.lastError ?? refusedReload)
        }
        let rates = agents.compactMap(\.recordsPerSecond)
        let lags = agents.compactMap(\.consumerLag)
        host = Host(transport: current.host?.transport, uptimeSeconds: current.host?.uptimeSeconds,
                    agents: agents.count, running: agents.filter { $0.state == "running" }.count,
                    recordsPerSecond: rates.isEmpty ? nil : rates.reduce(0, +),
                    processed: agents.map(\.processed).reduce(0, +),
                    consumerLag: lags.isEmpty ? nil : lags.reduce(0, +),
                    inFlight: agents.map(\.inFlight).reduce(0, +), retried: agents.map(\.retried).reduce(0, +),
                    deadLettered: agents.map(\.deadLettered).reduce(0, +), refusedFiles: current.refused.count)
    }

    /// Finished records per second between two answers for one agent; nil when
    /// no time passed or a counter went back (the agent was reloaded and counts anew).
    static func rate(from previous: AgentReport, to current: AgentReport, seconds: Double) -> Double? {
        let finished = current.processed + current.deadLettered
        let finishedBefore = previous.processed + previous.deadLettered
        guard seconds > 0, finished >= finishedBefore else { return nil }
        return Double(finished - finishedBefore) / seconds
    }
}
