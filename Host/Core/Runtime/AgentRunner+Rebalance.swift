import CSluicePlugin
import Logging

extension AgentRunner: ConsumerListener {
    /// Opens each partition in the plugin, restores the partitions' state (a
    /// stateful agent; several at once), then gives each a lane. A failed
    /// open() or restore fails the agent. Returns the partitions whose
    /// restored state moves their start.
    public func assigned(_ partitions: [TopicPartition], startOffsets: [TopicPartition: Int64]) -> [TopicPartition: Int64] {
        var moved: [TopicPartition: Int64] = [:]
        var handles: [PartitionHandle] = []
        for partition in partitions {
            let handle = PartitionHandle(partition: partition)
            if let instance = lock.withLock({ instance }) {
                let status = instance.open(handle)
                guard status == SLUICE_STATUS_OK else {
                    fail("open(\(partition)) failed with status \(status)")
                    return moved
                }
            }
            handles.append(handle)
        }
        var restored: [TopicPartition: RestoredPartition] = [:]
        if let state {
            do {
                restored = try restorePartitions(partitions, startOffsets: startOffsets, state: state)
            } catch {
                fail("\(error)")
                return moved
            }
        }
        for (partition, handle) in zip(partitions, handles) {
            let committed = startOffsets[partition] ?? 0
            // Crashes this partition's commits have passed leave the crash history.
            crashQuarantine?.settled(agent: name, partition: partition, committed: committed)
            var start = committed
            if let resume = restored[partition]?.resumeAt, resume > start {
                start = resume
                moved[partition] = resume
            }
            let lane = lock.withLock {
                machine.assigned(partition, startOffset: start, committedOffset: committed, resources: handle)
            }
            if let state, let restored = restored[partition] {
                do {
                    try installState(restored, partition: partition, lane: lane, state: state)
                } catch {
                    fail("opening the state of \(partition) failed: \(error)")
                    return moved
                }
            }
            logger.debug("partition assigned", metadata: [
                "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                "offset": .stringConvertible(start),
            ])
        }
        return moved
    }

    /// Stops feeding the partitions, lets in-flight work finish within the
    /// drain deadline (flushing the plugin when everything goes, as at
    /// shutdown), commits the finished prefix, then closes them.
    public func revoked(_ partitions: [TopicPartition]) {
        let revoking = Set(partitions)
        let everything = lock.withLock {
            machine.revocationBegan(partitions)
            return machine.coversEveryLane(revoking)
        }
        if everything {
            // A full revoke flushes once no call is running, so buffered and PENDING work is pushed out.
            _ = waitUntil(timeout: drainTimeout) { $0.isQuiet(revoking) }
            let (instance, failed) = lock.withLock { (self.instance, machine.hasFailed) }
            if let instance, !failed, let status = instance.flush(), status != SLUICE_STATUS_OK {
                recordError("flush() returned \(status)")
            }
        }
        let drained = waitUntil(timeout: drainTimeout) { $0.isDrained(revoking) }
        if !drained {
            logger.warning("drain deadline passed; committing only the finished prefix", metadata: [
                "partitions": .string(partitions.map(\.description).joined(separator: ",")),
            ])
        }
        commitFinished(revoking)
        let (instance, closing) = lock.withLock { (self.instance, machine.closeLanes(partitions)) }
        for partition in partitions { state?.remove(partition) }
        if let instance {
            // A lane whose call never returned keeps its state: close() must not
            // race a call that is still inside the plugin.
            for (handle, closable) in closing where closable { instance.close(handle) }
        }
        lock.broadcast()
    }
}
