/// The host did not accept a produced record (unknown batch, empty topic, or a
/// host without produce). Thrown from an ``Agent``, it makes the message retry.
public struct ProduceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The destination topic.
    public let topic: String
    /// Why, as far as the plugin can tell.
    public let reason: String

    /// `cannot produce to 'topic': reason`.
    public var description: String { "cannot produce to '\(topic)': \(reason)" }
}
