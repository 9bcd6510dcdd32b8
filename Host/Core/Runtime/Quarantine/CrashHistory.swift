import Foundation

/// The crashes of plugins on this host (`<data_directory>/quarantine/crash-history.json`):
/// which records each crashing call had in flight, and with which signal.
/// Bounded to the newest ``capacity`` crashes. The decisions of the next
/// start are drawn from it (``quarantine(of:)``):
///
/// - a range in flight at two crashes (two crashed calls of one partition
///   whose offset ranges overlap) is handed over record by record, through
///   the last offset of both;
/// - a record that was in flight **alone** at a crash (a batch of one) is
///   dead-lettered, never handed to the plugin again.
///
/// So a record that crashes its plugin whenever it is handed over takes the
/// host down at most three times: twice in a batch, once alone.
public struct CrashHistory: Sendable, Codable, Equatable {
    /// The newest crashes kept.
    public static let capacity = 256
    /// The file format version.
    public static let formatVersion = 1

    /// One crashed call, and when the next start found it.
    public struct Crash: Sendable, Codable, Equatable {
        /// What was in flight on the crashing thread, with the signal.
        public var call: CrashJournalEntry
        /// When the start that read the journal recorded it.
        public var recordedAt: Date

        /// Creates a crash record.
        public init(call: CrashJournalEntry, recordedAt: Date) {
            self.call = call
            self.recordedAt = recordedAt
        }
    }

    /// The file format version of this history.
    public var version: Int
    /// Oldest first.
    public private(set) var crashes: [Crash]

    /// An empty history.
    public init() {
        version = Self.formatVersion
        crashes = []
    }

    /// Adds crashed calls (those with a signal), dropping the oldest beyond ``capacity``.
    public mutating func record(_ calls: [CrashJournalEntry], at date: Date) {
        crashes += calls.filter(\.crashed).map { Crash(call: $0, recordedAt: date) }
        if crashes.count > Self.capacity { crashes.removeFirst(crashes.count - Self.capacity) }
    }

    /// Drops the crashes `settled` says are settled (their partition was committed past them).
    public mutating func removeCrashes(_ settled: (Crash) -> Bool) {
        crashes.removeAll(where: settled)
    }

    /// Crashes of `agent`'s plugin kept in the history.
    public func crashCount(of agent: String) -> Int {
        crashes.count { $0.call.agent == agent }
    }

    /// What the history asks of each partition of `agent` (only partitions it asks something of).
    public func quarantine(of agent: String) -> [TopicPartition: PartitionQuarantine] {
        var decisions: [TopicPartition: PartitionQuarantine] = [:]
        let calls = crashes.map(\.call).filter { $0.agent == agent && $0.records > 0 }
        for (index, call) in calls.enumerated() {
            var decision = decisions[call.source] ?? PartitionQuarantine()
            func isolate(through offset: Int64) {
                decision.recordByRecordThrough = max(decision.recordByRecordThrough ?? offset, offset)
            }
            if call.records == 1 {
                decision.deadLetters[call.firstOffset] = "plugin crashed (\(SignalName.of(call.signal)))"
                isolate(through: call.firstOffset)
            }
            for earlier in calls[..<index] where earlier.source == call.source
                && earlier.firstOffset <= call.lastOffset && call.firstOffset <= earlier.lastOffset {
                isolate(through: max(call.lastOffset, earlier.lastOffset))
            }
            if decision != PartitionQuarantine() { decisions[call.source] = decision }
        }
        return decisions
    }

    // MARK: - The file

    /// Reads the history at `path`: empty when there is none; empty with the
    /// reason when the file cannot be read (the start goes on, and the next
    /// save replaces it).
    public static func load(path: String) -> (history: CrashHistory, problem: String?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (CrashHistory(), nil) }
        do {
            let history = try JSONDecoder.crashHistory.decode(CrashHistory.self, from: data)
            guard history.version == formatVersion else {
                return (CrashHistory(), "\(path) has format version \(history.version), this host reads \(formatVersion); starting a new history")
            }
            return (history, nil)
        } catch {
            return (CrashHistory(), "\(path) is not a readable crash history (\(error)); starting a new history")
        }
    }

    /// Writes the history to `path` (a temporary file renamed into place).
    public func save(path: String) throws {
        try JSONEncoder.crashHistory.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

extension JSONEncoder {
    /// Sorted keys and ISO 8601 dates: a history operators can read.
    static var crashHistory: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what ``JSONEncoder/crashHistory`` writes.
    static var crashHistory: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
