import Synchronization

/// A stateful agent's tables and timers for one assigned partition, as its
/// batches see them: the local store, plus writes that are decided but not yet
/// sealed (the *overlay*), plus the writes of the open delivery (*staged*).
///
/// A delivery's writes are staged until it settles. If its records are all
/// finished they are *decided*: they join the overlay (later deliveries read
/// them) and wait for their seal; otherwise they are dropped. A seal takes the
/// decided writes of a run of finished batches, and once they are in the
/// changelog and the local store they leave the overlay.
///
/// Sealed values stay in a bounded cache of point reads (`cachedKeys`), so a
/// key written again and again (a windowed count) is read without asking
/// the store; the cache only ever holds what the store holds.
///
/// Thread-safe: the plugin calls it from any thread, the seal from another.
final class PartitionState: Sendable {
    /// The partition (of the agent's one input topic).
    let partition: TopicPartition
    /// The lane this state belongs to: a later assignment of the same partition gets a new one.
    let lane: LaneID
    /// The agent's local store.
    let store: any StateStore
    /// The tables the plugin may use.
    let tables: Set<String>
    /// Every table with a changelog: the plugin's, and the timer table when the agent has timers.
    let changelogTables: [String]
    /// This ownership of the partition, written on every changelog record (see `ChangelogRecord`).
    let owner: String
    private let inner: Mutex<Inner>

    /// At most this many sealed keys are cached per partition; a full cache
    /// starts over (cheaper than tracking recency, and hot keys come back at once).
    static let cachedKeys = 10_000

    private struct Inner {
        /// Holds a looked-up key's bytes; reused, so a read allocates nothing.
        var lookupKey: [UInt8] = []
        var staged: [UInt64: Staged] = [:]
        var overlay: [StateKey: Decided] = [:]
        /// Sealed values (nil: deleted), exactly as in the store.
        var cache: [StateKey: [UInt8]?] = [:]
        var unsealed: [Unsealed] = []
        var timers: [TimerKey: Int64] = [:]
        var firing: [UInt64: [TimerKey]] = [:]
        var firingKeys: Set<TimerKey> = []
        var streamTime: Int64
        var checkpoint: StateCheckpoint
        var closed = false
        /// When the last seal started (monotonic), for pacing seals.
        var lastSealStart: Duration?
    }

    private struct Staged {
        var writes: [StateKey: [UInt8]?] = [:]
        var streamTime: Int64
    }

    private struct Decided {
        var value: [UInt8]?
        var ticket: OffsetLedger.Ticket
    }

    private struct Unsealed {
        var ticket: OffsetLedger.Ticket
        var writes: [StateKey: [UInt8]?]
    }

    /// What one seal makes durable.
    struct SealWork: Sendable {
        /// The seal's sequence number (one more than the last).
        let sequence: UInt64
        /// The writes, one per key (the last one wins).
        let writes: [StateWrite]
    }

    /// The state restored for `partition`: `checkpoint` is what the store holds.
    init(partition: TopicPartition, lane: LaneID, store: any StateStore, tables: [String], handlesTimers: Bool,
         owner: String, checkpoint: StateCheckpoint) throws(StateStoreError) {
        self.partition = partition
        self.lane = lane
        self.store = store
        self.tables = Set(tables)
        changelogTables = tables + (handlesTimers ? [TimerTable.name] : [])
        self.owner = owner
        var timers: [TimerKey: Int64] = [:]
        var streamTime: Int64 = -1
        if handlesTimers {
            try store.scan(table: TimerTable.name, partition: partition.partition, from: nil, to: nil, limit: 0) { key, value in
                if let timer = TimerKey(storageKey: key), let due = TimerTable.decode(value) {
                    timers[timer] = due
                } else if key.elementsEqual(TimerTable.streamTimeKey), let time = TimerTable.decode(value) {
                    streamTime = time
                }
                return true
            }
        }
        var state = Inner(streamTime: streamTime, checkpoint: checkpoint)
        state.timers = timers
        inner = Mutex(state)
    }

    /// The checkpoint of the last seal (or of the restore).
    var checkpoint: StateCheckpoint { inner.withLock { $0.checkpoint } }

    /// The partition is no longer this host's: seals in flight give up.
    func close() { inner.withLock { $0.closed = true } }

    /// Whether `close()` was called.
    var isClosed: Bool { inner.withLock { $0.closed } }

    // MARK: - Deliveries

    /// Delivery `id` of `records` records starts; `maxTimestamp` is its
    /// highest record timestamp (nil for a timer delivery). Stream time moves with it.
    func begin(_ id: UInt64, records: Int, maxTimestamp: Int64?) {
        var staged = Staged(streamTime: -1)
        // Room for a write per record up front: growing a dictionary rehashes it.
        staged.writes.reserveCapacity(min(records, 4096))
        inner.withLock { state in
            staged.streamTime = max(state.streamTime, maxTimestamp ?? -1)
            state.staged[id] = staged
        }
    }

    /// Delivery `id` settled as ledger entry `ticket`: its writes stand
    /// (`keep`) or are dropped. Timers it fired are gone once it stands, and
    /// due again if it does not.
    func settle(_ id: UInt64, ticket: OffsetLedger.Ticket, keep: Bool) {
        inner.withLock { state in
            guard var staged = state.staged.removeValue(forKey: id) else { return }
            let fired = state.firing.removeValue(forKey: id) ?? []
            for timer in fired { state.firingKeys.remove(timer) }
            guard keep else { return }
            if staged.streamTime > state.streamTime, changelogTables.contains(TimerTable.name) {
                staged.writes[StateKey(table: TimerTable.name, key: TimerTable.streamTimeKey)] = TimerTable.encode(staged.streamTime)
            }
            state.streamTime = max(state.streamTime, staged.streamTime)
            guard !staged.writes.isEmpty else { return }
            for (key, value) in staged.writes {
                state.overlay[key] = Decided(value: value, ticket: ticket)
                if key.table == TimerTable.name, let timer = TimerKey(storageKey: key.key) {
                    state.timers[timer] = value.flatMap(TimerTable.decode)
                }
            }
            if let last = state.unsealed.last, last.ticket == ticket {
                state.unsealed[state.unsealed.count - 1].writes.merge(staged.writes) { _, new in new }
            } else {
                state.unsealed.append(Unsealed(ticket: ticket, writes: staged.writes))
            }
        }
    }

    // MARK: - The plugin's reads and writes

    /// Calls `body` with the value of `key` as delivery `id` sees it; returns whether there is one.
    func withValue(_ id: UInt64, table: String, key: UnsafeRawBufferPointer,
                   _ body: (UnsafeRawBufferPointer) -> Void) throws(StateAccessError) -> Bool {
        let overlaid: [UInt8]?? = try inner.withLock { state throws(StateAccessError) -> [UInt8]?? in
            guard let staged = state.staged[id] else { throw .batchNotOpen }
            guard !(staged.writes.isEmpty && state.overlay.isEmpty && state.cache.isEmpty) else { return .none }
            // The lookup key borrows the reused buffer; once it is gone the
            // buffer is unshared again, so the next read does not allocate.
            state.lookupKey.removeAll(keepingCapacity: true)
            state.lookupKey.append(contentsOf: key)
            let stateKey = StateKey(table: table, key: state.lookupKey)
            if let value = staged.writes[stateKey] { return .some(value) }
            if let decided = state.overlay[stateKey] { return .some(decided.value) }
            if let cached = state.cache[stateKey] { return .some(cached) }
            return .none
        }
        if let overlaid {
            guard let value = overlaid else { return false }
            value.withUnsafeBytes(body)
            return true
        }
        do {
            return try store.withValue(table: table, partition: partition.partition, key: key, body)
        } catch {
            throw .store(error)
        }
    }

    /// Stages a write of delivery `id` (`value` nil deletes).
    func put(_ id: UInt64, table: String, key: [UInt8], value: [UInt8]?) throws(StateAccessError) {
        try inner.withLock { state throws(StateAccessError) in
            guard state.staged[id] != nil else { throw .batchNotOpen }
            state.staged[id]!.writes[StateKey(table: table, key: key)] = .some(value)
        }
    }

    /// Visits `table`'s entries with `start <= key < end` in order, as
    /// delivery `id` sees them, at most `limit` (0: all). Returns the number visited.
    func scan(_ id: UInt64, table: String, from start: [UInt8]?, to end: [UInt8]?, limit: Int,
              _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws(StateAccessError) -> Int {
        func inRange(_ key: [UInt8]) -> Bool {
            (start.map { !key.precedes($0) } ?? true) && (end.map { key.precedes($0) } ?? true)
        }
        let overlay: [[UInt8]: [UInt8]?] = try inner.withLock { state throws(StateAccessError) in
            guard let staged = state.staged[id] else { throw .batchNotOpen }
            var overlay: [[UInt8]: [UInt8]?] = [:]
            for (key, decided) in state.overlay where key.table == table && inRange(key.key) { overlay[key.key] = decided.value }
            for (key, value) in staged.writes where key.table == table && inRange(key.key) { overlay[key.key] = value }
            return overlay
        }
        let overlayKeys = overlay.keys.sorted { $0.precedes($1) }
        var next = 0
        var visited = 0
        var stopped = false
        func emit(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
            visited += 1
            if !visit(key, value) || (limit > 0 && visited >= limit) { stopped = true }
        }
        func emitOverlay(before bound: UnsafeRawBufferPointer?) {
            while !stopped, next < overlayKeys.count, bound.map({ overlayKeys[next].precedes($0) }) ?? true {
                let key = overlayKeys[next]
                next += 1
                if let value = overlay[key]! {
                    key.withUnsafeBytes { keyBytes in value.withUnsafeBytes { emit(keyBytes, $0) } }
                }
            }
        }
        do {
            try store.scan(table: table, partition: partition.partition, from: start, to: end, limit: 0) { key, value in
                emitOverlay(before: key)
                guard !stopped else { return false }
                if next < overlayKeys.count, overlayKeys[next].elementsEqual(key) {
                    // The overlay has a newer value (or a delete) for this key.
                    let newer = overlay[overlayKeys[next]]!
                    next += 1
                    if let newer { newer.withUnsafeBytes { emit(key, $0) } }
                } else {
                    emit(key, value)
                }
                return !stopped
            }
        } catch {
            throw .store(error)
        }
        emitOverlay(before: nil)
        return visited
    }

    /// The overlay's value of `key`: nil when the overlay has none, `.some(nil)` for a delete.
    fileprivate func overlayValue(_ key: StateKey) -> [UInt8]?? {
        inner.withLock { state in state.overlay[key].map { $0.value } }
    }

    /// The stream time delivery `id` sees (-1 before any record).
    func streamTime(_ id: UInt64) -> Int64? {
        inner.withLock { $0.staged[id]?.streamTime }
    }

    // MARK: - Timers

    /// Whether a timer is due at wall-clock `now` (or by stream time) and not being fired.
    func hasDueTimers(now: Int64) -> Bool {
        inner.withLock { state in
            state.timers.contains { timer, due in
                !state.firingKeys.contains(timer) && due <= (timer.clock == 0 ? now : state.streamTime)
            }
        }
    }

    /// The timers due for timer delivery `id`, ordered by due time; they are
    /// staged as deleted in it (a reschedule in on_timer wins).
    func takeDueTimers(_ id: UInt64, now: Int64) -> [(timer: TimerKey, due: Int64)] {
        inner.withLock { state in
            guard state.staged[id] != nil else { return [] }
            let streamTime = state.streamTime
            let due = state.timers
                .filter { timer, due in !state.firingKeys.contains(timer) && due <= (timer.clock == 0 ? now : streamTime) }
                .map { (timer: $0.key, due: $0.value) }
                .sorted { ($0.due, $0.timer.clock) < ($1.due, $1.timer.clock) }
            for entry in due {
                state.firingKeys.insert(entry.timer)
                state.staged[id]!.writes[StateKey(table: TimerTable.name, key: entry.timer.storageKey)] = .some(nil)
            }
            state.firing[id] = due.map(\.timer)
            return due
        }
    }

    // MARK: - Seals

    /// How long a seal asked for at `now` waits so that seals start at most
    /// every `interval` (zero: at once).
    func sealWait(now: Duration, interval: Duration) -> Duration {
        inner.withLock { state in
            guard let last = state.lastSealStart else { return .zero }
            return max(.zero, last + interval - now)
        }
    }

    /// A seal starts now.
    func sealStarted(at now: Duration) {
        inner.withLock { $0.lastSealStart = now }
    }

    /// The decided writes of every ledger entry through `ticket`, merged, with
    /// the next sequence number; nil when they wrote nothing.
    func takeSeal(through ticket: OffsetLedger.Ticket) -> SealWork? {
        inner.withLock { state in
            guard let first = state.unsealed.first, first.ticket <= ticket else { return nil }
            // The first entry's writes are taken over, not copied; later ones win.
            var merged = state.unsealed.removeFirst().writes
            while let next = state.unsealed.first, next.ticket <= ticket {
                merged.merge(state.unsealed.removeFirst().writes) { _, new in new }
            }
            guard !merged.isEmpty else { return nil }
            let writes = merged.map { StateWrite(table: $0.key.table, key: $0.key.key, value: $0.value) }
            return SealWork(sequence: state.checkpoint.sealSequence + 1, writes: writes)
        }
    }

    /// A seal is in the local store with `checkpoint`: its writes leave the overlay.
    /// `writes` are the seal's (the overlay's only keys it can retire).
    func sealApplied(through ticket: OffsetLedger.Ticket, writes: [StateWrite], checkpoint: StateCheckpoint) {
        inner.withLock { state in
            state.checkpoint = checkpoint
            // In place, key by key: the overlay keeps its capacity for the next writes.
            for write in writes {
                let key = StateKey(table: write.table, key: write.key)
                if let decided = state.overlay[key], decided.ticket <= ticket { state.overlay[key] = nil }
                if state.cache.count >= Self.cachedKeys, state.cache[key] == nil { state.cache.removeAll(keepingCapacity: true) }
                state.cache[key] = .some(write.value)
            }
        }
    }
}

/// Why a state call of the plugin was refused.
enum StateAccessError: Error, CustomStringConvertible {
    /// The batch it names is not open on this partition.
    case batchNotOpen
    /// The local store failed.
    case store(StateStoreError)

    var description: String {
        switch self {
        case .batchNotOpen: "the batch is not open (finished already, or never handed out)"
        case .store(let error): error.description
        }
    }
}

extension PartitionState {
    /// The value of `key` as the partition's decided state has it (the
    /// overlay, then the store): what operators' queries read.
    func decidedValue(table: String, key: [UInt8]) throws -> [UInt8]? {
        if let decided = overlayValue(StateKey(table: table, key: key)) { return decided }
        var value: [UInt8]?
        _ = try key.withUnsafeBytes { bytes throws(StateStoreError) in
            try store.withValue(table: table, partition: partition.partition, key: bytes) { value = Array($0) }
        }
        return value
    }
}
