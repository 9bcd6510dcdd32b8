import CSluicePlugin
import Foundation

/// The state side of ``HostRecorder``: a faithful in-memory version of what
/// the host keeps for a stateful agent, per partition. Tables are ordered
/// byte maps; a batch's writes are staged until the test commits or drops
/// the batch (the host's all-or-nothing rule), and reads see them meanwhile;
/// timers are a list the test fires by building a `sluice_timer_batch`
/// (scheduled and cancelled at once: the one simplification, since the tests
/// never retry a batch that changed timers and look at them afterwards);
/// stream time is the highest record timestamp of the committed batches.
///
/// Every call names a batch the test opened (``open(batchID:partition:timestamps:)``);
/// any other batch id, or an undeclared table when `tables` is set, is
/// refused with SLUICE_STATE_ERROR, as the host does.
final class StateStore: @unchecked Sendable {
    // @unchecked: every stored property is guarded by `lock`.
    struct Timer: Equatable {
        let partition: Int32
        let clock: Int32
        let due: Int64
        let key: String
    }
    private struct TableAddress: Hashable {
        let table: String
        let partition: Int32
    }
    private struct Write {
        let table: String
        let key: [UInt8]
        let value: [UInt8]?
    }
    private struct OpenBatch {
        let partition: Int32
        let maxTimestamp: Int64
        var writes: [Write] = []
    }

    private let lock = NSLock()
    private var tablesByAddress: [TableAddress: [[UInt8]: [UInt8]]] = [:]
    private var open: [UInt64: OpenBatch] = [:]
    private var timerList: [Timer] = []
    private var streamTimes: [Int32: Int64] = [:]
    /// The tables the agent declared; nil accepts any name.
    var tables: Set<String>?
    /// When set, every state and timer call is refused.
    var refuseAll = false

    static func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    // MARK: What the test does

    /// Opens batch `batchID` of `partition` (a record batch with these
    /// timestamps, or a timer batch with none).
    func open(batchID: UInt64, partition: Int32 = 0, timestamps: [Int64] = []) {
        locked { open[batchID] = OpenBatch(partition: partition, maxTimestamp: timestamps.max() ?? -1) }
    }

    /// Applies the batch's staged writes and advances the partition's stream time.
    func commit(batchID: UInt64) {
        locked {
            guard let batch = open.removeValue(forKey: batchID) else { return }
            for write in batch.writes {
                let address = TableAddress(table: write.table, partition: batch.partition)
                tablesByAddress[address, default: [:]][write.key] = write.value
            }
            streamTimes[batch.partition] = max(streamTimes[batch.partition] ?? -1, batch.maxTimestamp)
        }
    }

    /// Drops the batch's staged writes (a retried batch).
    func drop(batchID: UInt64) {
        _ = locked { open.removeValue(forKey: batchID) }
    }

    /// The committed entries of `table` on `partition`, keys and values as text, in key order.
    func entries(_ table: String, partition: Int32 = 0) -> [(key: String, value: String)] {
        locked {
            (tablesByAddress[TableAddress(table: table, partition: partition)] ?? [:])
                .sorted { $0.key.lexicographicallyPrecedes($1.key) }
                .map { (String(decoding: $0.key, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) }
        }
    }

    /// The pending timers of `partition`, ordered by due time.
    func timers(partition: Int32 = 0) -> [Timer] {
        locked { timerList.filter { $0.partition == partition }.sorted { ($0.due, $0.key) < ($1.due, $1.key) } }
    }

    /// Removes and returns the timers of `partition` on `clock` due at or before `time`, by due time.
    func takeDue(partition: Int32 = 0, clock: sluice_timer_clock, upTo time: Int64) -> [Timer] {
        locked {
            let due = timerList.filter { $0.partition == partition && $0.clock == Int32(clock.rawValue) && $0.due <= time }
            timerList.removeAll { due.contains($0) }
            return due.sorted { ($0.due, $0.key) < ($1.due, $1.key) }
        }
    }

    /// The committed stream time of `partition` (-1 before any record).
    func committedStreamTime(partition: Int32 = 0) -> Int64 { locked { streamTimes[partition] ?? -1 } }

    // MARK: The host table's functions

    private func accepts(_ batchID: UInt64, table: String?) -> OpenBatch? {
        guard !refuseAll, let batch = open[batchID] else { return nil }
        if let table, let tables, !tables.contains(table) { return nil }
        return batch
    }

    func get(batchID: UInt64, table: String, key: [UInt8]) -> Result<[UInt8]?, StateStoreRefusal> {
        locked {
            guard let batch = accepts(batchID, table: table) else { return .failure(StateStoreRefusal()) }
            // Staged writes of the partition's open batches first, newest first.
            for other in open.values where other.partition == batch.partition {
                if let write = other.writes.last(where: { $0.table == table && $0.key == key }) { return .success(write.value) }
            }
            return .success(tablesByAddress[TableAddress(table: table, partition: batch.partition)]?[key])
        }
    }

    func put(batchID: UInt64, table: String, key: [UInt8], value: [UInt8]?) -> Bool {
        locked {
            guard accepts(batchID, table: table) != nil, key.count <= Int(SLUICE_STATE_MAX_KEY),
                  (value?.count ?? 0) <= Int(SLUICE_STATE_MAX_VALUE) else { return false }
            open[batchID]!.writes.append(Write(table: table, key: key, value: value))
            return true
        }
    }

    func range(batchID: UInt64, table: String, start: [UInt8]?, end: [UInt8]?, limit: Int) -> [([UInt8], [UInt8])]? {
        locked {
            guard let batch = accepts(batchID, table: table) else { return nil }
            var merged = tablesByAddress[TableAddress(table: table, partition: batch.partition)] ?? [:]
            for other in open.values where other.partition == batch.partition {
                for write in other.writes where write.table == table { merged[write.key] = write.value }
            }
            var entries = merged.filter { entry in
                (start.map { !entry.key.lexicographicallyPrecedes($0) } ?? true)
                    && (end.map { entry.key.lexicographicallyPrecedes($0) } ?? true)
            }.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
            if limit > 0 && entries.count > limit { entries = Array(entries.prefix(limit)) }
            return entries
        }
    }

    func schedule(batchID: UInt64, clock: Int32, due: Int64, key: [UInt8]) -> Bool {
        locked {
            guard let batch = accepts(batchID, table: nil) else { return false }
            let name = String(decoding: key, as: UTF8.self)
            timerList.removeAll { $0.partition == batch.partition && $0.clock == clock && $0.key == name }
            timerList.append(Timer(partition: batch.partition, clock: clock, due: due, key: name))
            return true
        }
    }

    func cancel(batchID: UInt64, clock: Int32, key: [UInt8]) -> Bool {
        locked {
            guard let batch = accepts(batchID, table: nil) else { return false }
            let name = String(decoding: key, as: UTF8.self)
            timerList.removeAll { $0.partition == batch.partition && $0.clock == clock && $0.key == name }
            return true
        }
    }

    func streamTime(batchID: UInt64) -> Int64 {
        locked {
            guard let batch = open[batchID] else { return -1 }
            return streamTimes[batch.partition] ?? -1
        }
    }
}

/// SLUICE_STATE_ERROR from the in-memory store.
struct StateStoreRefusal: Error {}
