import CSluicePlugin
import Logging

extension AgentRunner: ConsumerListener {
    /// Opens each partition in the plugin, then gives it a lane. A failed
    /// open() fails the agent.
    public func assigned(_ partitions: [TopicPartition], startOffsets: [TopicPartition: Int64]) {
        for partition in partitions {
            let handle = PartitionHandle(partition: partition)
            if let instance = lock.withLock({ instance }) {
                let status = instance.open(handle)
                guard status == SLUICE_STATUS_OK else {
                    fail("open(\(partition)) failed with status \(status)")
                    return
                }
            }
            let start = startOffsets[partition] ?? 0
            lock.withLock { _ = machine.assigned(partition, startOffset: start, resources: handle) }
            logger.debug("partition assigned", metadata: [
                "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                "offset": .stringConvertible(start),
            ])
        }
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
        if let instance {
            // A lane whose call never returned keeps its state: close() must not
            // race a call that is still inside the plugin.
            for (handle, closable) in closing where closable { instance.close(handle) }
        }
        lock.broadcast()
    }
}
