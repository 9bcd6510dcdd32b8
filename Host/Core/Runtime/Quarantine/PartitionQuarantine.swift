/// What the crash history asks of one partition of one agent at this start.
public struct PartitionQuarantine: Sendable, Equatable {
    /// Records at or below this offset are handed to the plugin one at a time
    /// (batches of one), so the next crash names a single record; nil: normal batching.
    public var recordByRecordThrough: Int64?
    /// Records that crashed the plugin while handed over alone, by offset:
    /// dead-lettered without reaching the plugin, with this `sluice.error` reason.
    public var deadLetters: [Int64: String]

    /// Creates a decision.
    public init(recordByRecordThrough: Int64? = nil, deadLetters: [Int64: String] = [:]) {
        self.recordByRecordThrough = recordByRecordThrough
        self.deadLetters = deadLetters
    }

    /// Whether record `offset` is handed over alone.
    public func isolates(_ offset: Int64) -> Bool {
        guard let through = recordByRecordThrough else { return false }
        return offset <= through
    }
}
