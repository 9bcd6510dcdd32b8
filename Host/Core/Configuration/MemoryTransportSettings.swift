/// How the embedded `memory://` transport lays out its topics (yaml: `memory:`).
public struct MemoryTransportSettings: Sendable, Equatable {
    /// Partitions of a topic not listed in `topics` (yaml: `memory.partitions`).
    public var partitions: Int = 8
    /// Partition counts of particular topics (yaml: `memory.topics: { name: partitions }`).
    public var topics: [String: Int] = [:]

    /// The defaults: 8 partitions per topic.
    public init() {}

    /// How many partitions `topic` has.
    public func partitions(for topic: String) -> Int {
        topics[topic] ?? partitions
    }
}
