import SluiceHost

/// The body of `GET /readyz`: ready, or why not.
public struct ReadinessReport: Codable, Sendable, Equatable {
    /// Whether the host is ready (broker reachable, every agent running).
    public var ready: Bool
    /// What keeps it from being ready, one line each; empty when ready.
    public var reasons: [String]

    /// The readiness of `runtime` now.
    public init(_ runtime: SluiceRuntime) {
        ready = runtime.isReady
        reasons = []
        guard !ready else { return }
        if !runtime.transport.isReachable {
            reasons.append("broker \(runtime.configuration.broker) is not reachable")
        }
        for status in runtime.agents {
            if case .running = status.state { continue }
            reasons.append("agent \(status.name) is \(status.state)")
        }
        if reasons.isEmpty { reasons.append("the host is starting or stopping") }
    }
}
