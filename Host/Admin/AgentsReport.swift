import SluiceHost

/// The body of `GET /agents`: every agent, the refused plugin files, and the
/// recent reloads.
public struct AgentsReport: Codable, Sendable, Equatable {
    /// The agents, sorted by name.
    public var agents: [AgentReport]
    /// Plugin files the host refused (bad file, wrong ABI, failed create...).
    public var refused: [RefusalReport]
    /// Recent reloads, oldest first.
    public var reloads: [ReloadReport]

    /// The report of `runtime` now.
    public init(_ runtime: SluiceRuntime) {
        let events = runtime.reloadEvents
        agents = runtime.agents.map { status in
            AgentReport(status, lastReload: events.last { $0.agent == status.name })
        }
        refused = runtime.refusals.map(RefusalReport.init)
        reloads = events.map(ReloadReport.init)
    }
}
