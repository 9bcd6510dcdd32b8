import Metrics

/// A stateful agent's state metrics: seals, changelog writes and restores.
struct StateMetrics: Sendable {
    let agent: String
    /// Seals made durable (`sluice_state_seals_total{agent}`).
    let seals: Counter
    /// Table writes sealed into the changelogs (`sluice_state_writes_total{agent}`).
    let writes: Counter

    init(agent: String) {
        self.agent = agent
        seals = Counter(label: "sluice_state_seals_total", dimensions: [("agent", agent)])
        writes = Counter(label: "sluice_state_writes_total", dimensions: [("agent", agent)])
    }

    /// One seal of `writes` writes is durable.
    func recordSeal(writes count: Int) {
        seals.increment()
        writes.increment(by: count)
    }

    /// A restore of `tables` for `partition` began (`inProgress`) or ended.
    func restoring(_ tables: [String], inProgress: Bool) {
        for table in tables {
            Gauge(label: "sluice_table_restore_in_progress", dimensions: [("agent", agent), ("table", table)])
                .record(inProgress ? 1 : 0)
        }
    }

    /// Records restored so far, and to restore in all, for `partition`
    /// (`sluice_state_restore_records{agent,partition,kind="restored"|"total"}`).
    func restoreProgress(partition: TopicPartition, restored: Int64, total: Int64) {
        let partitionLabel = "\(partition.partition)"
        Gauge(label: "sluice_state_restore_records", dimensions: [("agent", agent), ("partition", partitionLabel), ("kind", "restored")])
            .record(restored)
        Gauge(label: "sluice_state_restore_records", dimensions: [("agent", agent), ("partition", partitionLabel), ("kind", "total")])
            .record(total)
    }
}
