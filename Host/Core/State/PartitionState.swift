import Synchronization

/// A stateful agent's tables and timers for one assigned partition, as its
/// batches see them: the local store, plus writes that are decided but not
/// yet sealed, plus the writes of the open delivery (*staged*, in its
/// `OpenDelivery`).
///
/// A delivery's writes are staged until it settles. If its records are all
/// finished they are *decided*: later deliveries read them, and they wait for
/// their seal; otherwise they are dropped. A seal takes the decided writes of
/// a run of finished batches, and once they are in the changelog and the
/// local store their entries turn into a cache of what the store holds, so a
/// key written again and again (a windowed count) is read without asking the
/// store. At most `cachedKeys` sealed keys are cached.
///
/// One map (`entries`) holds decided and cached values, so a read looks a
/// key up at most twice (staged, then entries) before the store. A seal
/// takes the keys decided since the last one from a list (`dirtyKeys`)
/// rather than merging every batch's writes: 1 M records of 1,000 keys are
/// then sealed as the keys they touched, not as the writes they made.
///
/// A seal may stop short of the newest decided writes: a later batch settled
/// while an earlier one's outputs were still unacknowledged, so its ledger
/// entry was not done (`covered` is false). Such a write keeps the value it
/// replaced (with its ticket) in its entry, and a seal that stops before it
/// takes that value. A write whose entry was done when it settled keeps
/// nothing: every seal taken from then on covers it (seals are taken under
/// the agent's lock, see `AgentRunner.sealState`).
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
        /// Decided values (not sealed yet) and cached ones (sealed: what the store holds).
        var entries: [StateKey: Entry] = [:]
        /// How many of `entries` are cached sealed values.
        var cachedCount = 0
        /// Keys decided since a seal last took them, each once.
        var dirtyKeys: [StateKey] = []
        /// The last settled delivery's (emptied) write map, kept for the next
        /// one: a map sized for a batch is not allocated and freed per batch.
        var spareWrites: [StateKey: [UInt8]?] = [:]
        var timers: [TimerKey: Int64] = [:]
        var firingKeys: Set<TimerKey> = []
        var streamTime: Int64
        var checkpoint: StateCheckpoint
        var closed = false
        /// When the last seal started (monotonic), for pacing seals.
        var lastSealStart: Duration?
    }

    private struct Entry {
        /// The value (nil: deleted).
        var value: [UInt8]?
        /// The ledger entry whose delivery decided it; nil once sealed (the store then holds it).
        var ticket: OffsetLedger.Ticket?
        /// Decided since a seal last took the key (it is in `dirtyKeys`).
        var dirty = false
        /// Values it replaced while dirty, oldest first, kept for a seal
        /// that stops before `ticket` (only replacements by a delivery whose
        /// entry was not done yet).
        var earlier: [(ticket: OffsetLedger.Ticket, value: [UInt8]?)] = []
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

    /// Delivery `id` of `records` records of `agent` starts; `maxTimestamp`
    /// is its highest record timestamp (nil for a timer delivery). Stream time moves with it.
    func begin(_ id: UInt64, of agent: AgentState, records: Int, maxTimestamp: Int64?) -> OpenDelivery {
        let delivery = OpenDelivery(id: id, partition: self, agent: agent)
        inner.withLock { state in
            delivery.streamTime = max(state.streamTime, maxTimestamp ?? -1)
            swap(&delivery.writes, &state.spareWrites)
        }
        // Room for a write per record up front: growing a dictionary rehashes it.
        delivery.writes.reserveCapacity(min(records, 4096))
        return delivery
    }

    /// `delivery` settled as ledger entry `ticket`: its writes stand
    /// (`keep`) or are dropped. Timers it fired are gone once it stands, and
    /// due again if it does not. `covered`: the ledger entry and every one
    /// before it are done, so every seal from now on covers this one.
    func settle(_ delivery: OpenDelivery, ticket: OffsetLedger.Ticket, keep: Bool, covered: Bool) {
        inner.withLock { state in
            guard delivery.isOpen else { return }
            delivery.isOpen = false
            for timer in delivery.firing { state.firingKeys.remove(timer) }
            var writes: [StateKey: [UInt8]?] = [:]
            swap(&writes, &delivery.writes)
            defer {
                writes.removeAll(keepingCapacity: true)
                if writes.capacity > state.spareWrites.capacity { state.spareWrites = writes }
            }
            guard keep else { return }
            if delivery.streamTime > state.streamTime, changelogTables.contains(TimerTable.name) {
                writes[StateKey(table: TimerTable.name, key: TimerTable.streamTimeKey)] = TimerTable.encode(delivery.streamTime)
            }
            state.streamTime = max(state.streamTime, delivery.streamTime)
            for (key, value) in writes {
                if let index = state.entries.index(forKey: key) {
                    if state.entries.values[index].dirty {
                        if !covered {
                            let replaced = state.entries.values[index]
                            state.entries.values[index].earlier.append((replaced.ticket!, replaced.value))
                        }
                    } else {
                        if state.entries.values[index].ticket == nil { state.cachedCount -= 1 }
                        state.entries.values[index].dirty = true
                        state.dirtyKeys.append(key)
                    }
                    state.entries.values[index].value = value
                    state.entries.values[index].ticket = ticket
                } else {
                    state.entries[key] = Entry(value: value, ticket: ticket, dirty: true)
                    state.dirtyKeys.append(key)
                }
                if key.table == TimerTable.name, let timer = TimerKey(storageKey: key.key) {
                    state.timers[timer] = value.flatMap(TimerTable.decode)
                }
            }
        }
    }

    // MARK: - The plugin's reads and writes

    /// Calls `body` with the value of `key` as `delivery` sees it; returns whether there is one.
    func withValue(_ delivery: OpenDelivery, table: String, key: UnsafeRawBufferPointer,
                   _ body: (UnsafeRawBufferPointer) -> Void) throws(StateAccessError) -> Bool {
        let known: [UInt8]?? = try inner.withLock { state throws(StateAccessError) -> [UInt8]?? in
            guard delivery.isOpen else { throw .batchNotOpen }
            guard !(delivery.writes.isEmpty && state.entries.isEmpty) else { return .none }
            // The lookup key borrows the reused buffer; once it is gone the
            // buffer is unshared again, so the next read does not allocate.
            state.lookupKey.removeAll(keepingCapacity: true)
            state.lookupKey.append(contentsOf: key)
            let stateKey = StateKey(table: table, key: state.lookupKey)
            if let value = delivery.writes[stateKey] { return .some(value) }
            guard let index = state.entries.index(forKey: stateKey) else { return .none }
            delivery.lastReadKey = state.entries.keys[index]
            return .some(state.entries.values[index].value)
        }
        if let known {
            guard let value = known else { return false }
            value.withUnsafeBytes(body)
            return true
        }
        do {
            return try store.withValue(table: table, partition: partition.partition, key: key, body)
        } catch {
            throw .store(error)
        }
    }

    /// Stages a write of `delivery` (`value` nil deletes).
    func put(_ delivery: OpenDelivery, table: String, key: UnsafeRawBufferPointer, value: [UInt8]?) throws(StateAccessError) {
        try inner.withLock { state throws(StateAccessError) in
            guard delivery.isOpen else { throw .batchNotOpen }
            if let last = delivery.lastReadKey, last.matches(table: table, key: key) {
                // The key just read: its stored copy and hash serve.
                delivery.writes[last] = .some(value)
                return
            }
            state.lookupKey.removeAll(keepingCapacity: true)
            state.lookupKey.append(contentsOf: key)
            let lookup = StateKey(table: table, key: state.lookupKey)
            // A key the partition knows already is shared, not copied again.
            let stored: StateKey
            if let index = delivery.writes.index(forKey: lookup) {
                stored = delivery.writes.keys[index]
            } else if let index = state.entries.index(forKey: lookup) {
                stored = state.entries.keys[index]
            } else {
                stored = StateKey(table: table, key: Array(key), hashedAs: lookup)
            }
            delivery.writes[stored] = .some(value)
        }
    }

    /// Stages a write of `delivery` (`value` nil deletes).
    func put(_ delivery: OpenDelivery, table: String, key: [UInt8], value: [UInt8]?) throws(StateAccessError) {
        let result = key.withUnsafeBytes { bytes in
            Result { () throws(StateAccessError) in try put(delivery, table: table, key: bytes, value: value) }
        }
        try result.get()
    }

    /// Visits `table`'s entries with `start <= key < end` in order, as
    /// `delivery` sees them, at most `limit` (0: all). Returns the number visited.
    func scan(_ delivery: OpenDelivery, table: String, from start: [UInt8]?, to end: [UInt8]?, limit: Int,
              _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) throws(StateAccessError) -> Int {
        func inRange(_ key: [UInt8]) -> Bool {
            (start.map { !key.precedes($0) } ?? true) && (end.map { key.precedes($0) } ?? true)
        }
        let overlay: [[UInt8]: [UInt8]?] = try inner.withLock { state throws(StateAccessError) in
            guard delivery.isOpen else { throw .batchNotOpen }
            // Decided values not in the store yet (cached ones are what it holds), then the staged ones.
            var overlay: [[UInt8]: [UInt8]?] = [:]
            for (key, entry) in state.entries where entry.ticket != nil && key.table == table && inRange(key.key) {
                overlay[key.key] = entry.value
            }
            for (key, value) in delivery.writes where key.table == table && inRange(key.key) { overlay[key.key] = value }
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

    /// The decided value of `key` this state knows (decided, or cached from
    /// the store): nil when it knows none, `.some(nil)` for a delete.
    fileprivate func knownValue(_ key: StateKey) -> [UInt8]?? {
        inner.withLock { state in state.entries[key].map { $0.value } }
    }

    /// The stream time `delivery` sees (-1 before any record).
    func streamTime(_ delivery: OpenDelivery) -> Int64 {
        inner.withLock { _ in delivery.streamTime }
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

    /// The timers due for timer delivery `delivery`, ordered by due time;
    /// they are staged as deleted in it (a reschedule in on_timer wins).
    func takeDueTimers(_ delivery: OpenDelivery, now: Int64) -> [(timer: TimerKey, due: Int64)] {
        inner.withLock { state in
            guard delivery.isOpen else { return [] }
            let streamTime = state.streamTime
            let due = state.timers
                .filter { timer, due in !state.firingKeys.contains(timer) && due <= (timer.clock == 0 ? now : streamTime) }
                .map { (timer: $0.key, due: $0.value) }
                .sorted { ($0.due, $0.timer.clock) < ($1.due, $1.timer.clock) }
            for entry in due {
                state.firingKeys.insert(entry.timer)
                delivery.writes[StateKey(table: TimerTable.name, key: entry.timer.storageKey)] = .some(nil)
            }
            delivery.firing = due.map(\.timer)
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

    /// The decided writes of every ledger entry through `ticket`, one per
    /// key (the last one wins), with the next sequence number; nil when they
    /// wrote nothing. Called with the agent's lock (see `settle`).
    func takeSeal(through ticket: OffsetLedger.Ticket) -> SealWork? {
        inner.withLock { state in
            guard !state.dirtyKeys.isEmpty else { return nil }
            var writes: [StateWrite] = []
            writes.reserveCapacity(state.dirtyKeys.count)
            var stillDirty: [StateKey] = []
            for key in state.dirtyKeys {
                guard let index = state.entries.index(forKey: key), let decided = state.entries.values[index].ticket else { continue }
                if decided <= ticket {
                    state.entries.values[index].dirty = false
                    state.entries.values[index].earlier = []
                    writes.append(StateWrite(table: key.table, key: key.key, value: state.entries.values[index].value))
                } else {
                    // Decided after the seal's last entry: the value it had then, if any; it stays dirty.
                    let earlier = state.entries.values[index].earlier
                    if let last = earlier.lastIndex(where: { $0.ticket <= ticket }) {
                        writes.append(StateWrite(table: key.table, key: key.key, value: earlier[last].value))
                        state.entries.values[index].earlier.removeFirst(last + 1)
                    }
                    stillDirty.append(key)
                }
            }
            if stillDirty.isEmpty {
                state.dirtyKeys.removeAll(keepingCapacity: true)
            } else {
                state.dirtyKeys = stillDirty
            }
            guard !writes.isEmpty else { return nil }
            return SealWork(sequence: state.checkpoint.sealSequence + 1, writes: writes)
        }
    }

    /// A seal is in the local store with `checkpoint`: the entries it wrote
    /// that nothing decided since turn into cached values. `writes` are the
    /// seal's.
    func sealApplied(through ticket: OffsetLedger.Ticket, writes: [StateWrite], checkpoint: StateCheckpoint) {
        inner.withLock { state in
            state.checkpoint = checkpoint
            for write in writes {
                let key = StateKey(table: write.table, key: write.key)
                if let index = state.entries.index(forKey: key) {
                    // A later decided write stays decided: the store has this seal's value, the entry a newer one.
                    guard let decided = state.entries.values[index].ticket, decided <= ticket else { continue }
                    state.entries.values[index].ticket = nil
                    state.cachedCount += 1
                } else {
                    state.entries[key] = Entry(value: write.value, ticket: nil)
                    state.cachedCount += 1
                }
                if state.cachedCount > Self.cachedKeys {
                    // A full cache starts over; decided entries stay.
                    state.entries = state.entries.filter { $0.value.ticket != nil }
                    state.cachedCount = 0
                }
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
    /// The value of `key` as the partition's decided state has it (its
    /// decided and cached entries, then the store): what operators' queries read.
    func decidedValue(table: String, key: [UInt8]) throws -> [UInt8]? {
        if let known = knownValue(StateKey(table: table, key: key)) { return known }
        var value: [UInt8]?
        _ = try key.withUnsafeBytes { bytes throws(StateStoreError) in
            try store.withValue(table: table, partition: partition.partition, key: bytes) { value = Array($0) }
        }
        return value
    }
}
