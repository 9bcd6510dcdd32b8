/// Errors an agent throws to choose a result; the SDK turns them into
/// per-message (or batch) results, never into a trap across the boundary.
public enum AgentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Redeliver the message later (a transient failure).
    case retry(String)
    /// Send the message to the dead-letter topic (a permanent failure).
    case deadLetter(String)
    /// Ignore the message deliberately.
    case skip
    /// The agent cannot go on: the batch finishes as `SLUICE_BATCH_FATAL` and the
    /// host applies its error policy to the agent.
    case fatal(String)

    /// A readable form, e.g. `retry: connection refused`.
    public var description: String {
        switch self {
        case .retry(let reason): "retry: \(reason)"
        case .deadLetter(let reason): "dead-letter: \(reason)"
        case .skip: "skip"
        case .fatal(let reason): "fatal: \(reason)"
        }
    }
}
