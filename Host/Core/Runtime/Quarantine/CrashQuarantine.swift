import Foundation
import Logging
import Synchronization

/// Crash quarantine for in-process plugins: the host's side of the crash
/// journal and the crash history (see docs/isolation.md).
///
/// At start it reads the journal the previous process left, logs what was in
/// flight, adds the crashed calls to the history and saves it, and starts a
/// fresh journal for the worker threads. Each agent then gets its decisions
/// (``quarantine(of:)``): partitions to deliver record by record, records to
/// dead-letter without handing them to the plugin.
public final class CrashQuarantine: Sendable {
    /// The journal file's name in the quarantine directory.
    public static let journalFile = "in-flight"
    /// The history file's name in the quarantine directory.
    public static let historyFile = "crash-history.json"

    /// The journal the worker threads write; nil when it could not be opened (logged).
    let journal: CrashJournal?
    /// What was in flight when the previous process died.
    public let recovered: [CrashJournalEntry]
    private let historyPath: String
    private let history: Mutex<CrashHistory>
    private let logger: Logger

    /// Reads and restarts the journal in `directory` (`<data_directory>/quarantine`)
    /// and updates the history there. Never throws: a quarantine that cannot
    /// work is logged and the host runs without it.
    public init(directory: String, logger: Logger) {
        self.logger = logger
        historyPath = directory + "/" + Self.historyFile
        var journal: CrashJournal?
        var recovered: [CrashJournalEntry] = []
        do {
            let (opened, previous) = try CrashJournal.open(path: directory + "/" + Self.journalFile)
            journal = opened
            recovered = previous.inFlight
            if let problem = previous.problem { logger.warning("crash journal: \(problem.description)") }
        } catch {
            logger.warning("crash journal unavailable; plugin crashes are not quarantined: \(error)")
        }
        self.journal = journal
        self.recovered = recovered
        var (history, problem) = CrashHistory.load(path: historyPath)
        if let problem { logger.warning("crash history: \(problem)") }
        Self.log(recovered, logger: logger)
        if recovered.contains(where: \.crashed) {
            history.record(recovered, at: Date())
            Self.save(history, to: historyPath, logger: logger)
        }
        self.history = Mutex(history)
    }

    /// The decisions of the crash history for `agent`'s partitions, logged once per agent start.
    func quarantine(of agent: String) -> [TopicPartition: PartitionQuarantine] {
        let decisions = history.withLock { $0.quarantine(of: agent) }
        for (partition, decision) in decisions.sorted(by: { $0.key.description < $1.key.description }) {
            var metadata: Logger.Metadata = [
                "agent": .string(agent), "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
            ]
            if let through = decision.recordByRecordThrough { metadata["record_by_record_through"] = .stringConvertible(through) }
            if !decision.deadLetters.isEmpty {
                metadata["dead_letter_offsets"] = .string(decision.deadLetters.keys.sorted().map(String.init).joined(separator: ","))
            }
            logger.notice("crash quarantine: this partition's records that crashed the plugin are isolated", metadata: metadata)
        }
        return decisions
    }

    /// Crashed calls of `agent` found at this start (the previous process died of them).
    func crashesAtStart(of agent: String) -> Int {
        recovered.count { $0.crashed && $0.agent == agent }
    }

    /// Crashes of `agent`'s plugin kept in the history.
    public func crashCount(of agent: String) -> Int {
        history.withLock { $0.crashCount(of: agent) }
    }

    /// `agent`'s `partition` is committed at `committed`: crashes wholly below
    /// it are settled and leave the history.
    func settled(agent: String, partition: TopicPartition, committed: Int64) {
        let pruned: CrashHistory? = history.withLock { history in
            let before = history.crashes.count
            history.removeSettled(agent: agent, partition: partition, committed: committed)
            return history.crashes.count == before ? nil : history
        }
        if let pruned { Self.save(pruned, to: historyPath, logger: logger) }
    }

    private static func save(_ history: CrashHistory, to path: String, logger: Logger) {
        do {
            try history.save(path: path)
        } catch {
            logger.warning("crash history not saved: \(error)")
        }
    }

    private static func log(_ entries: [CrashJournalEntry], logger: Logger) {
        let crashed = entries.contains(where: \.crashed)
        for entry in entries {
            var metadata: Logger.Metadata = [
                "agent": .string(entry.agent), "topic": .string(entry.topic),
                "partition": .stringConvertible(entry.partition), "records": .stringConvertible(entry.records),
            ]
            if entry.records > 0 {
                metadata["offsets"] = .string(entry.offsetRange)
            } else {
                metadata["delivery"] = "timers"
            }
            if entry.crashed {
                metadata["signal"] = .string(SignalName.of(entry.signal))
                logger.notice("the previous host process died of a fatal signal in this plugin call", metadata: metadata)
            } else {
                logger.notice(crashed ? "in flight on another thread when the previous host process crashed; not counted"
                                      : "in flight when the previous host process died without a fatal signal in a plugin call; not counted",
                              metadata: metadata)
            }
        }
    }
}

extension CrashHistory {
    /// Drops `agent`'s crashes on `partition` whose every offset is below `committed`.
    mutating func removeSettled(agent: String, partition: TopicPartition, committed: Int64) {
        removeCrashes { $0.call.agent == agent && $0.call.source == partition && $0.call.lastOffset < committed }
    }
}
