import CSluicePlugin

extension FetchedBatch {
    /// This batch as the crash quarantine delivers it: each record at or below
    /// `decision.recordByRecordThrough` a batch of its own, the rest one batch
    /// as fetched. No payload is copied: the parts keep this batch (and so its
    /// payload memory) alive.
    func isolating(_ decision: PartitionQuarantine) -> [FetchedBatch] {
        guard decision.isolates(firstOffset) else { return [self] }
        var parts: [FetchedBatch] = []
        var index = 0
        while index < count, decision.isolates(messages[index].offset) {
            parts.append(part(index..<index + 1))
            index += 1
        }
        if index < count { parts.append(part(index..<count)) }
        return parts
    }

    private func part(_ range: Range<Int>) -> FetchedBatch {
        let copy = UnsafeMutableBufferPointer<sluice_message>.allocate(capacity: range.count)
        _ = copy.initialize(from: messages[range])
        return FetchedBatch(source: source, messages: copy, payloadOwner: self)
    }
}

extension [FetchedBatch] {
    /// The batches as the crash quarantine delivers them (``FetchedBatch/isolating(_:)``).
    func isolating(_ decisions: [TopicPartition: PartitionQuarantine]) -> [FetchedBatch] {
        guard !decisions.isEmpty else { return self }
        return flatMap { batch in decisions[batch.source].map(batch.isolating) ?? [batch] }
    }
}
