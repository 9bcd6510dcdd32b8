import CSluicePlugin

/// Brings the local store of one partition up to its changelogs when the
/// partition is assigned, and says where consumption resumes.
///
/// The rule, per table, reading its changelog partition in order from where
/// the local checkpoint left off: writes are held until a marker; a marker of
/// seal `n` by owner `o` applies the held writes of owner `o` with seal ≤ `n`
/// and drops the rest (left behind by an owner that lost the partition before
/// its seal was complete). Writes after a table's last marker belong to the
/// newest seal of *any* table (whose writes were all stored before its first
/// marker was produced) or to an unfinished one, which is dropped.
///
/// Every key such a tail touched is then written again, with its restored
/// value, as a seal of the new owner (a *repair*): so the latest record of
/// every key in every changelog is right, and compaction cannot bring back a
/// dropped write.
struct StateRestorer {
    /// The partition and what it needs.
    let partition: TopicPartition
    let store: any StateStore
    let transport: any Transport
    /// Changelog topic per table.
    let changelogs: [String: String]
    /// Reports records restored so far and the total to restore.
    let progress: @Sendable (_ restored: Int64, _ total: Int64) -> Void

    /// What a restore found.
    struct Outcome {
        /// The checkpoint the store holds now.
        var checkpoint: StateCheckpoint
        /// Records read from the changelogs (0: the local store was current).
        var restoredRecords: Int64
        /// Keys to write again as a repair seal (table → keys).
        var repairKeys: [String: Set<[UInt8]>]
    }

    /// A write held until a marker says whether it stands.
    private struct HeldWrite {
        let key: [UInt8]
        let value: [UInt8]?
        let owner: Int
        let seal: UInt64
    }

    /// Restores the partition; throws when the store or a changelog fails.
    func restore() throws -> Outcome {
        var checkpoint = try store.checkpoint(partition: partition.partition) ?? .empty
        var ends: [String: Int64] = [:]
        for (table, topic) in changelogs {
            ends[table] = try transport.endOffset(of: TopicPartition(topic, partition.partition))
        }
        // A changelog shorter than the checkpoint says was recreated: start over.
        if ends.contains(where: { table, end in (checkpoint.changelogPositions[table] ?? 0) > end }) {
            try store.drop(partition: partition.partition)
            checkpoint = .empty
        }
        let total = ends.reduce(Int64(0)) { $0 + max(0, $1.value - (checkpoint.changelogPositions[$1.key] ?? 0)) }
        guard total > 0 else {
            progress(0, 0)
            checkpoint.changelogPositions = ends.merging(checkpoint.changelogPositions) { end, _ in end }
            return Outcome(checkpoint: checkpoint, restoredRecords: 0, repairKeys: [:])
        }
        progress(0, total)

        var restored: Int64 = 0
        var reader = ChangelogMessageReader()
        var lastMarker: (marker: SealMarker, owner: Int)? = nil
        var tails: [String: [HeldWrite]] = [:]
        var pendingWrites: [StateWrite] = []
        for (table, topic) in changelogs.sorted(by: { $0.key < $1.key }) {
            let start = checkpoint.changelogPositions[table] ?? 0
            guard let end = ends[table], end > start else { continue }
            var held: [HeldWrite] = []
            try transport.replay(TopicPartition(topic, partition.partition), from: start, to: end) { batch in
                for index in 0..<batch.count {
                    let message = batch.messages[index]
                    switch reader.read(message) {
                    case .write(let key, let value, let owner, let seal):
                        held.append(HeldWrite(key: key, value: value, owner: owner, seal: seal))
                    case .marker(let marker, let owner):
                        for write in held where write.owner == owner && write.seal <= marker.seal {
                            pendingWrites.append(StateWrite(table: table, key: write.key, value: write.value))
                        }
                        held.removeAll(keepingCapacity: true)
                        if marker.seal > lastMarker?.marker.seal ?? 0 { lastMarker = (marker, owner) }
                    case .unreadable(let what):
                        throw StateStoreError("changelog \(topic) partition \(partition.partition) offset \(message.offset): \(what)")
                    }
                }
                restored += Int64(batch.count)
                progress(restored, total)
                if pendingWrites.count >= 50_000 {
                    // Applying a prefix early is safe: the checkpoint stays where
                    // it was, and a restore that starts again replays the same
                    // full values in the same order.
                    try store.apply(pendingWrites, checkpoint: checkpoint, partition: partition.partition)
                    pendingWrites.removeAll(keepingCapacity: true)
                }
            }
            tails[table] = held
        }
        var repairKeys: [String: Set<[UInt8]>] = [:]
        for (table, held) in tails {
            for write in held {
                if let lastMarker, write.owner == lastMarker.owner, write.seal <= lastMarker.marker.seal {
                    pendingWrites.append(StateWrite(table: table, key: write.key, value: write.value))
                }
                repairKeys[table, default: []].insert(write.key)
            }
        }
        if let lastMarker, lastMarker.marker.seal > checkpoint.sealSequence {
            checkpoint.sealSequence = lastMarker.marker.seal
            checkpoint.appliedOffset = max(checkpoint.appliedOffset, lastMarker.marker.offset)
        }
        checkpoint.changelogPositions = ends
        try store.apply(pendingWrites, checkpoint: checkpoint, partition: partition.partition)
        return Outcome(checkpoint: checkpoint, restoredRecords: restored, repairKeys: repairKeys)
    }
}
