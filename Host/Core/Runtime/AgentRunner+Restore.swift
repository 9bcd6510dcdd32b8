import Foundation
import Logging

/// What restoring one partition's state found, before its lane exists.
struct RestoredPartition {
    /// What the local store holds now.
    let checkpoint: StateCheckpoint
    /// Where consumption resumes: past every record whose writes are applied.
    let resumeAt: Int64
    /// This ownership of the partition (written on its changelog records).
    let owner: String
    /// Keys left behind after a changelog's last marker, to be written again.
    let repairKeys: [String: Set<[UInt8]>]
}

extension AgentRunner {
    /// Control thread, on assignment: brings the partition's state up to its
    /// changelogs (nothing to read when the local store is current, as after
    /// a restart on the same machine). The partition's first batch waits for it.
    func restorePartition(_ partition: TopicPartition, committed: Int64, state: AgentState) throws -> RestoredPartition {
        let started = ConditionLock.monotonicNow()
        state.metrics.restoring(Array(state.changelogs.keys), inProgress: true)
        defer { state.metrics.restoring(Array(state.changelogs.keys), inProgress: false) }
        let restorer = StateRestorer(partition: partition, store: state.store, transport: transport,
                                     changelogs: state.changelogs) { restored, total in
            state.restoreProgress(partition, restored: restored, total: total)
        }
        let outcome = try restorer.restore()
        let checkpoint = outcome.checkpoint
        let resumeAt = checkpoint.sealSequence > 0 ? max(committed, checkpoint.appliedOffset + 1) : committed
        if outcome.restoredRecords > 0 {
            let elapsed = ConditionLock.monotonicNow() - started
            logger.notice("state restored from the changelogs", metadata: [
                "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                "records": .stringConvertible(outcome.restoredRecords),
                "seconds": .string(String(format: "%.3f", Double(elapsed.nanoseconds) / 1e9)),
                "resume_offset": .stringConvertible(resumeAt),
            ])
        } else {
            logger.debug("local state is current; nothing to restore", metadata: [
                "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                "resume_offset": .stringConvertible(resumeAt),
            ])
        }
        let owner = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        return RestoredPartition(checkpoint: checkpoint, resumeAt: resumeAt, owner: owner, repairKeys: outcome.repairKeys)
    }

    /// Control thread: the restored partition's state serves its lane. Keys a
    /// changelog left after its last marker are written again first, with
    /// their restored values, as a seal of this owner (see `StateRestorer`).
    func installState(_ restored: RestoredPartition, partition: TopicPartition, lane: LaneID, state: AgentState) throws {
        let partitionState = try PartitionState(
            partition: partition, lane: lane, store: state.store, tables: state.tables,
            handlesTimers: state.handlesTimers, owner: restored.owner, checkpoint: restored.checkpoint)
        state.install(partitionState)
        guard !restored.repairKeys.isEmpty else { return }
        var writes: [StateWrite] = []
        for (table, keys) in restored.repairKeys {
            for key in keys {
                var value: [UInt8]?
                _ = try key.withUnsafeBytes { bytes throws(StateStoreError) in
                    try state.store.withValue(table: table, partition: partition.partition, key: bytes) { value = Array($0) }
                }
                writes.append(StateWrite(table: table, key: key, value: value))
            }
        }
        let repaired = DispatchSemaphore(value: 0)
        let work = PartitionState.SealWork(sequence: restored.checkpoint.sealSequence + 1, writes: writes)
        writeSeal(work, lastOffset: restored.checkpoint.appliedOffset, throughTicket: .max, on: partitionState,
                  state: state) { repaired.signal() }
        guard repaired.wait(timeout: .now() + .seconds(Int(drainTimeout.components.seconds) + 30)) == .success else {
            throw StateStoreError("the changelogs of \(partition) could not be repaired in time (\(writes.count) keys written after a last marker)")
        }
        logger.notice("changelog repaired: keys an unfinished seal left were written again", metadata: [
            "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
            "keys": .stringConvertible(writes.count),
        ])
    }
}
