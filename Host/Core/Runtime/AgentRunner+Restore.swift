import Foundation
import Logging
import Synchronization

/// What restoring one partition's state found, before its lane exists.
struct RestoredPartition: Sendable {
    /// What the local store holds now.
    let checkpoint: StateCheckpoint
    /// Where consumption resumes: past every record whose writes are applied.
    let resumeAt: Int64
    /// This ownership of the partition (written on its changelog records).
    let owner: String
    /// Keys left behind after a changelog's last marker, to be written again.
    let repairKeys: [String: Set<[UInt8]>]
    /// Changelog records read (0: the local store was current).
    let restoredRecords: Int64
}

/// Why restoring a partition's state failed: names the partition.
struct RestoreFailure: Error, CustomStringConvertible {
    let partition: TopicPartition
    let cause: any Error
    var description: String { "restoring the state of \(partition) failed: \(cause)" }
}

extension AgentRunner {
    /// At most this many partitions restore at once, each reading its
    /// changelogs with a client of its own: the broker's fetch round trips
    /// overlap, and the local store takes the writes from several threads.
    static let parallelRestores = 8

    /// Control thread, on assignment: restores `partitions`, several at once
    /// on threads of their own; the caller waits. Throws the first failure.
    func restorePartitions(_ partitions: [TopicPartition], startOffsets: [TopicPartition: Int64],
                           state: AgentState) throws -> [TopicPartition: RestoredPartition] {
        guard !partitions.isEmpty else { return [:] }
        let started = ConditionLock.monotonicNow()
        state.metrics.restoring(Array(state.changelogs.keys), inProgress: true)
        defer { state.metrics.restoring(Array(state.changelogs.keys), inProgress: false) }
        let results = Mutex<(next: Int, done: [TopicPartition: RestoredPartition], failure: RestoreFailure?)>((0, [:], nil))
        DedicatedThread.runAllBlocking("sluice-restore", count: min(partitions.count, Self.parallelRestores)) { [self] _ in
            while true {
                let index: Int? = results.withLock { results in
                    guard results.failure == nil, results.next < partitions.count else { return nil }
                    defer { results.next += 1 }
                    return results.next
                }
                guard let index else { return }
                let partition = partitions[index]
                do {
                    let restored = try restorePartition(partition, committed: startOffsets[partition] ?? 0, state: state)
                    results.withLock { $0.done[partition] = restored }
                } catch {
                    results.withLock { results in
                        if results.failure == nil { results.failure = RestoreFailure(partition: partition, cause: error) }
                    }
                }
            }
        }
        let (done, failure) = results.withLock { ($0.done, $0.failure) }
        if let failure { throw failure }
        let records = done.values.reduce(Int64(0)) { $0 + $1.restoredRecords }
        if records > 0 {
            let elapsed = ConditionLock.monotonicNow() - started
            logger.notice("assigned partitions restored", metadata: [
                "partitions": .stringConvertible(partitions.count), "records": .stringConvertible(records),
                "seconds": .string(String(format: "%.3f", Double(elapsed.nanoseconds) / 1e9)),
            ])
        }
        return done
    }

    /// A restore thread: brings the partition's state up to its
    /// changelogs (nothing to read when the local store is current, as after
    /// a restart on the same machine). The partition's first batch waits for it.
    func restorePartition(_ partition: TopicPartition, committed: Int64, state: AgentState) throws -> RestoredPartition {
        let started = ConditionLock.monotonicNow()
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
        return RestoredPartition(checkpoint: checkpoint, resumeAt: resumeAt, owner: owner, repairKeys: outcome.repairKeys,
                                 restoredRecords: outcome.restoredRecords)
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
