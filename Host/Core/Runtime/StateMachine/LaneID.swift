/// Names one lane for its whole life. A partition that is revoked and assigned
/// again gets a new lane with a new generation, so late events for the old one
/// (acknowledgements, retry timers, completions) can never touch the new
/// lane's ledger.
struct LaneID: Hashable, Sendable, CustomStringConvertible {
    /// The partition the lane feeds.
    let partition: TopicPartition
    /// Distinguishes successive lanes of the same partition within one agent.
    let generation: UInt64

    var description: String { "\(partition)#\(generation)" }
}
