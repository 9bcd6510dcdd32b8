/// Why an operator's request to the runtime was refused.
public enum RuntimeControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No agent has this name.
    case unknownAgent(String)
    /// The new version was refused; the old one keeps running.
    case reloadRefused(agent: String, reason: String)

    public var description: String {
        switch self {
        case .unknownAgent(let name): "no agent named '\(name)'"
        case .reloadRefused(let agent, let reason): "reload of '\(agent)' refused, the running version is kept: \(reason)"
        }
    }
}
