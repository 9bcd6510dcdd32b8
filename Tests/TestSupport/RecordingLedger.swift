import Foundation

/// What the recorder plugin (Tests/Fixtures/recorder.c) finished, read back from
/// its output topic: how often each input (partition, offset) was handled. The
/// reliability and Kafka suites compare it with what was produced (the input's
/// end offsets) and with what the host committed, and so count records lost,
/// duplicated or committed without being finished.
public struct RecordingLedger {
    /// One input record: its partition and offset.
    public struct InputOffset: Hashable, Sendable, Comparable {
        public let partition: Int32
        public let offset: Int64

        public init(partition: Int32, offset: Int64) {
            self.partition = partition
            self.offset = offset
        }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.partition, lhs.offset) < (rhs.partition, rhs.offset)
        }
    }

    /// How often each input record was handled.
    public private(set) var handled: [InputOffset: Int] = [:]
    /// Lines whose partition differs from the output partition they were written to.
    public private(set) var misplaced = 0

    /// An empty ledger, filled by ``add(_:)``.
    public init() {}

    /// Parses the recorder's lines "<partition>:<offset>:<value>"; other records are ignored.
    public init(_ records: some Sequence<KafkaTestWorld.ReadRecord>) {
        add(records)
    }

    /// Counts more of the recorder's output records.
    public mutating func add(_ records: some Sequence<KafkaTestWorld.ReadRecord>) {
        for record in records {
            let parts = record.value.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else { continue }
            if partition != record.partition { misplaced += 1 }
            handled[InputOffset(partition: partition, offset: offset), default: 0] += 1
        }
    }

    /// Input offsets (below `ends`, one past the last offset per partition) never handled.
    public func missing(ends: [Int32: Int64]) -> Int {
        var missing = 0
        for (partition, end) in ends {
            for offset in 0..<end where handled[InputOffset(partition: partition, offset: offset)] == nil { missing += 1 }
        }
        return missing
    }

    /// Extra handlings beyond the first.
    public var duplicates: Int { handled.values.reduce(0) { $0 + max(0, $1 - 1) } }

    /// Records handled at least once.
    public var distinct: Int { handled.count }

    /// Records handled at or beyond `committed` (per partition): the work a
    /// host that dies now has done without committing it, so the most that can
    /// come round again after its restart.
    public func handledBeyond(committed: [Int32: Int64]) -> Int {
        handled.keys.filter { $0.offset >= committed[$0.partition] ?? 0 }.count
    }

    /// Where the handled offsets differ from the committed ones, one line per
    /// partition: after a graceful stop, partition p must have handled exactly
    /// the offsets `0..<committed[p]` (none missing below the commit, none
    /// handled at or above it). Empty when they agree.
    public func prefixMismatches(committed: [Int32: Int64]) -> [String] {
        var handledPerPartition: [Int32: [Int64]] = [:]
        for key in handled.keys { handledPerPartition[key.partition, default: []].append(key.offset) }
        var mismatches: [String] = []
        for partition in Set(committed.keys).union(handledPerPartition.keys).sorted() {
            let end = committed[partition] ?? 0
            let offsets = handledPerPartition[partition] ?? []
            let beyond = offsets.filter { $0 >= end }.count
            let below = offsets.filter { $0 < end }.count
            if beyond > 0 || below != Int(end) {
                mismatches.append("partition \(partition): committed \(end), handled \(below) below it and \(beyond) at or above it")
            }
        }
        return mismatches
    }
}
