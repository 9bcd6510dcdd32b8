/// Thrown from ``SluiceAgent/validate(_:)`` (or the agent's `init`) to reject
/// a configuration; the message becomes the reason the host reports.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `'output' must not be empty`.
    public let description: String

    /// A configuration error with a readable message.
    public init(_ description: String) { self.description = description }
}
