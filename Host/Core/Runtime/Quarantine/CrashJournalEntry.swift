/// A plugin call that was running when the previous host process died, as
/// read back from its crash journal.
public struct CrashJournalEntry: Sendable, Equatable, Codable {
    /// The agent whose plugin was called.
    public var agent: String
    /// The source topic of the delivery.
    public var topic: String
    /// The source partition of the delivery.
    public var partition: Int32
    /// The first offset handed over (-1 for a delivery of timers).
    public var firstOffset: Int64
    /// The last offset handed over (-1 for a delivery of timers).
    public var lastOffset: Int64
    /// Records handed over (0: a delivery of timers).
    public var records: Int
    /// The fatal signal raised on this call's thread, 0 when none was (the
    /// call was only in flight on another thread when the process died).
    public var signal: Int32

    /// Creates an entry.
    public init(agent: String, topic: String, partition: Int32, firstOffset: Int64, lastOffset: Int64,
                records: Int, signal: Int32) {
        self.agent = agent
        self.topic = topic
        self.partition = partition
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.records = records
        self.signal = signal
    }

    /// Whether the fatal signal came from this call's thread: its plugin crashed on these records.
    public var crashed: Bool { signal != 0 }

    /// The source partition.
    public var source: TopicPartition { TopicPartition(topic, partition) }

    /// `first…last` for log lines.
    public var offsetRange: String { firstOffset == lastOffset ? "\(firstOffset)" : "\(firstOffset)-\(lastOffset)" }
}
