import Synchronization

/// A stateful agent's state on this host: its store, its tables and their
/// changelogs, the state of each partition it owns, and which open batch
/// belongs to which partition (the plugin's state calls name a batch).
final class AgentState: Sendable {
    /// The agent's local store.
    let store: any StateStore
    /// The tables the plugin declares.
    let tables: [String]
    /// Whether the plugin handles timers (the timer table then exists too).
    let handlesTimers: Bool
    /// Changelog topic of every changelogged table (the timer table included).
    let changelogs: [String: String]
    /// Seals, writes and restores, for `/metrics`.
    let metrics: StateMetrics
    private let partitions = Mutex<[TopicPartition: PartitionState]>([:])
    private let openBatches = Mutex<[UInt64: OpenDelivery]>([:])
    /// The declared tables' names as bytes, to resolve a plugin's table argument without making a `String`.
    private let tableNames: [(name: String, bytes: [UInt8])]
    private let restores = Mutex<[TopicPartition: RestoreProgress]>([:])

    init(store: any StateStore, tables: [String], handlesTimers: Bool, group: String, agent: String) {
        self.store = store
        self.tables = tables
        self.handlesTimers = handlesTimers
        metrics = StateMetrics(agent: agent)
        tableNames = tables.map { ($0, Array($0.utf8)) }
        let changelogged = tables + (handlesTimers ? [TimerTable.name] : [])
        changelogs = Dictionary(uniqueKeysWithValues: changelogged.map {
            ($0, ChangelogRecord.topic(consumerGroup: group, table: $0))
        })
    }

    /// The state of `partition`, while this host owns it.
    func partition(_ partition: TopicPartition) -> PartitionState? {
        partitions.withLock { $0[partition] }
    }

    /// Every partition's state.
    var allPartitions: [PartitionState] { partitions.withLock { Array($0.values) } }

    /// `state` is the partition's state from now on.
    func install(_ state: PartitionState) {
        partitions.withLock { $0[state.partition] = state }
    }

    /// The partition leaves this host: its state is closed.
    func remove(_ partition: TopicPartition) {
        partitions.withLock { $0.removeValue(forKey: partition) }?.close()
        restores.withLock { _ = $0.removeValue(forKey: partition) }
    }

    /// The declared table whose name is `bytes` (a plugin's `table`
    /// argument), or nil: one byte comparison per declared table.
    func table(named bytes: UnsafeRawBufferPointer) -> String? {
        for table in tableNames where table.bytes.elementsEqual(bytes) { return table.name }
        return nil
    }

    // MARK: - Open batches

    /// `delivery` is open until `close(batch:)`.
    func open(_ delivery: OpenDelivery) {
        openBatches.withLock { $0[delivery.id] = delivery }
    }

    /// Batch `id` is finished.
    func close(batch id: UInt64) {
        openBatches.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// The open delivery of batch `id`: the calling worker thread's own
    /// without a lock, else looked up.
    func delivery(ofBatch id: UInt64) -> OpenDelivery? {
        if let current = CurrentStateDelivery.delivery, current.id == id, current.agent === self { return current }
        return openBatches.withLock { $0[id] }
    }

    // MARK: - Restores

    /// Records a restore's progress (operators see it while it runs).
    func restoreProgress(_ partition: TopicPartition, restored: Int64, total: Int64) {
        restores.withLock { $0[partition] = RestoreProgress(partition: partition, restored: restored, total: total) }
        metrics.restoreProgress(partition: partition, restored: restored, total: total)
    }

    /// Restores under way or finished on this host's partitions.
    var restoreProgress: [RestoreProgress] {
        restores.withLock { Array($0.values) }.sorted { ($0.partition.topic, $0.partition.partition) < ($1.partition.topic, $1.partition.partition) }
    }
}

/// How far a partition's restore from its changelogs has come.
public struct RestoreProgress: Sendable, Equatable {
    /// The partition.
    public let partition: TopicPartition
    /// Changelog records read so far.
    public let restored: Int64
    /// Changelog records to read in all.
    public let total: Int64

    /// Whether it is finished.
    public var isDone: Bool { restored >= total }
}
