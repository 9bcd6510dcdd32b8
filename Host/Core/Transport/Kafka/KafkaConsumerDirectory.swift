/// The consumers a `KafkaTransport` made, by consumer group, so scrape-time
/// metrics (consumer lag) can reach them. Held weakly: a consumer belongs to
/// its agent and goes away with it.
final class KafkaConsumerDirectory: @unchecked Sendable {
    // @unchecked: `entries` is guarded by `lock`.
    private struct Entry {
        weak var consumer: KafkaConsumer?
    }

    private let lock = ConditionLock()
    private var entries: [String: Entry] = [:]

    /// Records `consumer` as the member of its group in this process.
    func add(_ consumer: KafkaConsumer) {
        lock.withLock {
            entries = entries.filter { $0.value.consumer != nil }
            entries[consumer.group] = Entry(consumer: consumer)
        }
    }

    /// The live consumer of `group`, if any.
    func consumer(group: String) -> KafkaConsumer? {
        lock.withLock { entries[group]?.consumer }
    }
}
