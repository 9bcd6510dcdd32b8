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
///
/// Speed: records are read in place from the replayed batches and copied once
/// into a `StateWriteBuffer` (no allocation per record); decided writes reach
/// the store in large atomic batches.
struct StateRestorer {
    /// The partition and what it needs.
    let partition: TopicPartition
    let store: any StateStore
    let transport: any Transport
    /// Changelog topic per table.
    let changelogs: [String: String]
    /// Reports records restored so far and the total to restore.
    let progress: @Sendable (_ restored: Int64, _ total: Int64) -> Void

    /// Decided writes are handed to the store once they hold this many bytes
    /// (or `applyEntries` writes): large enough that RocksDB's per-write cost
    /// is amortized, small enough to bound the restore's memory.
    static let applyBytes = 8 << 20
    static let applyEntries = 100_000

    /// What a restore found.
    struct Outcome {
        /// The checkpoint the store holds now.
        var checkpoint: StateCheckpoint
        /// Records read from the changelogs (0: the local store was current).
        var restoredRecords: Int64
        /// Keys to write again as a repair seal (table → keys).
        var repairKeys: [String: Set<[UInt8]>]
    }

    /// Writes of one table held until a marker says whether they stand, with
    /// the owner and seal of each.
    private struct HeldWrites {
        var writes: StateWriteBuffer
        var owners: [Int] = []
        var seals: [UInt64] = []

        init(tables: [String]) { writes = StateWriteBuffer(tables: tables) }

        mutating func append(table: Int32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?, owner: Int, seal: UInt64) {
            writes.append(table: table, key: key, value: value)
            owners.append(owner)
            seals.append(seal)
        }

        /// Whether write `index` is one of `owner`'s with a seal ≤ `seal`.
        func stands(_ index: Int, owner: Int, seal: UInt64) -> Bool {
            owners[index] == owner && seals[index] <= seal
        }

        mutating func removeAll() {
            writes.removeAll()
            owners.removeAll(keepingCapacity: true)
            seals.removeAll(keepingCapacity: true)
        }
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

        let tables = changelogs.keys.sorted()
        var restored: Int64 = 0
        var reader = ChangelogMessageReader()
        var lastMarker: (marker: SealMarker, owner: Int)? = nil
        var tails: [HeldWrites] = []
        var decided = StateWriteBuffer(tables: tables)
        for (tableIndex, table) in tables.enumerated() {
            let topic = changelogs[table]!
            let start = checkpoint.changelogPositions[table] ?? 0
            guard let end = ends[table], end > start else { continue }
            var held = HeldWrites(tables: tables)
            try transport.replay(TopicPartition(topic, partition.partition), from: start, to: end) { batch in
                for index in 0..<batch.count {
                    let message = batch.messages[index]
                    switch reader.read(message) {
                    case .write(let key, let value, let owner, let seal):
                        held.append(table: Int32(tableIndex), key: key, value: value, owner: owner, seal: seal)
                    case .marker(let marker, let owner):
                        decided.append(held.writes) { held.stands($0, owner: owner, seal: marker.seal) }
                        held.removeAll()
                        if marker.seal > lastMarker?.marker.seal ?? 0 { lastMarker = (marker, owner) }
                    case .unreadable(let what):
                        throw StateStoreError("changelog \(topic) partition \(partition.partition) offset \(message.offset): \(what)")
                    }
                }
                restored += Int64(batch.count)
                progress(restored, total)
                if decided.byteCount >= Self.applyBytes || decided.count >= Self.applyEntries {
                    // Applying a prefix early is safe: the checkpoint stays where
                    // it was, and a restore that starts again replays the same
                    // full values in the same order.
                    try store.apply(decided, checkpoint: checkpoint, partition: partition.partition)
                    decided.removeAll()
                }
            }
            tails.append(held)
        }
        var repairKeys: [String: Set<[UInt8]>] = [:]
        for tail in tails {
            tail.writes.forEach { index, table, key, _ in
                repairKeys[tables[Int(table)], default: []].insert(Array(key))
            }
            if let lastMarker {
                decided.append(tail.writes) { tail.stands($0, owner: lastMarker.owner, seal: lastMarker.marker.seal) }
            }
        }
        if let lastMarker, lastMarker.marker.seal > checkpoint.sealSequence {
            checkpoint.sealSequence = lastMarker.marker.seal
            checkpoint.appliedOffset = max(checkpoint.appliedOffset, lastMarker.marker.offset)
        }
        checkpoint.changelogPositions = ends
        try store.apply(decided, checkpoint: checkpoint, partition: partition.partition)
        return Outcome(checkpoint: checkpoint, restoredRecords: restored, repairKeys: repairKeys)
    }
}
