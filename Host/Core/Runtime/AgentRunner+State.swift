import CSluicePlugin
import Foundation
import Logging
import Synchronization

/// Tables and timers of a stateful agent: the plugin's state calls, what a
/// settled delivery does to its writes, and the seal that makes them durable
/// before the offsets that caused them are committed:
///
/// 1. the seal's writes are produced to their tables' changelogs, and every
///    one is acknowledged;
/// 2. a marker closing the seal is produced to every changelog, and
///    acknowledged;
/// 3. the writes and the checkpoint (last source offset, seal number,
///    changelog positions) go into the local store in one atomic write;
/// 4. the ledger lets the offsets commit.
///
/// A crash between any two steps leaves either a seal restore drops (no
/// marker everywhere: its records are processed again) or one it keeps (the
/// source offsets it covers are skipped on restart): each record's writes are
/// applied exactly once.
extension AgentRunner {
    // MARK: - The plugin's calls

    /// Logs that `call` was refused because the agent keeps no state.
    private func refuseStatelessCall(_ call: String) {
        logger.error("\(call) refused: agent '\(name)' declares no tables and no on_timer, so it keeps no state")
    }

    /// The open delivery of batch `batchID`, or a logged refusal.
    private func openDelivery(_ batchID: UInt64, call: String) -> OpenDelivery? {
        guard let state else {
            refuseStatelessCall(call)
            return nil
        }
        guard let delivery = state.delivery(ofBatch: batchID) else {
            logger.error("\(call) refused: batch \(batchID) is not open (finished already, or never handed out)")
            return nil
        }
        return delivery
    }

    /// The declared table named `table` (the plugin's bytes), or a logged refusal.
    private func declaredTable(_ table: UnsafeRawBufferPointer, call: String) -> String? {
        guard let state else {
            refuseStatelessCall(call)
            return nil
        }
        if let declared = state.table(named: table) { return declared }
        let asked = String(decoding: table, as: UTF8.self)
        logger.error("\(call) refused: table '\(asked)' is not declared (the plugin declares \(state.tables.isEmpty ? "none" : state.tables.joined(separator: ", ")))")
        return nil
    }

    func pluginStateGet(batchID: UInt64, table: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer,
                        _ body: (UnsafeRawBufferPointer) -> Void) -> Int32 {
        guard key.count <= Int(SLUICE_STATE_MAX_KEY) else {
            logger.error("state_get refused: a key of \(key.count) bytes is over SLUICE_STATE_MAX_KEY (\(SLUICE_STATE_MAX_KEY))")
            return SLUICE_STATE_ERROR
        }
        guard let table = declaredTable(table, call: "state_get"),
              let delivery = openDelivery(batchID, call: "state_get") else { return SLUICE_STATE_ERROR }
        do {
            return try delivery.partition.withValue(delivery, table: table, key: key, body) ? SLUICE_STATE_FOUND : SLUICE_STATE_ABSENT
        } catch {
            logger.error("state_get on table '\(table)' failed: \(error)")
            return SLUICE_STATE_ERROR
        }
    }

    func pluginStatePut(batchID: UInt64, table: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, value: [UInt8]?) -> Int32 {
        guard key.count <= Int(SLUICE_STATE_MAX_KEY), (value?.count ?? 0) <= Int(SLUICE_STATE_MAX_VALUE) else {
            logger.error("state_put refused: key of \(key.count) bytes, value of \(value?.count ?? 0) bytes (the limits are SLUICE_STATE_MAX_KEY \(SLUICE_STATE_MAX_KEY) and SLUICE_STATE_MAX_VALUE \(SLUICE_STATE_MAX_VALUE))")
            return SLUICE_STATE_ERROR
        }
        guard let table = declaredTable(table, call: "state_put"),
              let delivery = openDelivery(batchID, call: "state_put") else { return SLUICE_STATE_ERROR }
        do {
            try delivery.partition.put(delivery, table: table, key: key, value: value)
            return Int32(SLUICE_STATUS_OK)
        } catch {
            logger.error("state_put on table '\(table)' failed: \(error)")
            return SLUICE_STATE_ERROR
        }
    }

    func pluginStateRange(batchID: UInt64, table: UnsafeRawBufferPointer, start: [UInt8]?, end: [UInt8]?, limit: Int,
                          _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) -> Int64 {
        guard let table = declaredTable(table, call: "state_range"),
              let delivery = openDelivery(batchID, call: "state_range") else { return Int64(SLUICE_STATE_ERROR) }
        do {
            return Int64(try delivery.partition.scan(delivery, table: table, from: start, to: end, limit: limit, visit))
        } catch {
            logger.error("state_range on table '\(table)' failed: \(error)")
            return Int64(SLUICE_STATE_ERROR)
        }
    }

    func pluginTimer(batchID: UInt64, clock: Int32, key: [UInt8], due: Int64?) -> Int32 {
        let call = due == nil ? "timer_cancel" : "timer_schedule"
        guard clock == Int32(SLUICE_CLOCK_WALL.rawValue) || clock == Int32(SLUICE_CLOCK_STREAM.rawValue) else {
            logger.error("\(call) refused: clock \(clock) is not a sluice_timer_clock (0 wall clock, 1 stream time)")
            return SLUICE_STATE_ERROR
        }
        guard image.handlesTimers else {
            logger.error("\(call) refused: the plugin has no on_timer, so its timers could never fire")
            return SLUICE_STATE_ERROR
        }
        guard key.count < Int(SLUICE_STATE_MAX_KEY) else {
            logger.error("\(call) refused: a key of \(key.count) bytes is over SLUICE_STATE_MAX_KEY (\(SLUICE_STATE_MAX_KEY))")
            return SLUICE_STATE_ERROR
        }
        guard let delivery = openDelivery(batchID, call: call) else { return SLUICE_STATE_ERROR }
        let timer = TimerKey(clock: clock, key: key)
        do {
            try delivery.partition.put(delivery, table: TimerTable.name, key: timer.storageKey, value: due.map(TimerTable.encode))
            return Int32(SLUICE_STATUS_OK)
        } catch {
            logger.error("\(call) failed: \(error)")
            return SLUICE_STATE_ERROR
        }
    }

    func pluginStreamTime(batchID: UInt64) -> Int64 {
        guard let delivery = state?.delivery(ofBatch: batchID) else { return -1 }
        return delivery.partition.streamTime(delivery)
    }

    // MARK: - Deliveries

    /// Worker thread, before on_batch or on_timer: the delivery is open on its partition's state.
    func openForState(_ delivery: BatchContext) -> OpenDelivery? {
        guard let state, let partition = state.partition(delivery.handle.partition) else { return nil }
        var maxTimestamp: Int64?
        if !delivery.isTimerDelivery {
            maxTimestamp = -1
            for index in 0..<delivery.count { maxTimestamp = max(maxTimestamp!, delivery.messages[index].timestamp_ms) }
        }
        let open = partition.begin(delivery.id, of: state, records: delivery.count, maxTimestamp: maxTimestamp)
        state.open(open)
        return open
    }

    /// With the lock: a stateful delivery settled, its writes stand or are
    /// dropped; `covered` tells whether its ledger entry and all before it
    /// are done (see `PartitionState.settle`).
    func stateSettled(_ delivery: BatchContext, lane: LaneID, keep: Bool, covered: Bool) {
        guard let state, let open = state.delivery(ofBatch: delivery.id) else { return }
        open.partition.settle(open, ticket: delivery.ticket, keep: keep, covered: covered)
        state.close(batch: delivery.id)
    }

    /// Worker thread: one on_timer call with the partition's due timers.
    func executeTimers(_ delivery: BatchContext, on open: OpenDelivery?, instance: PluginInstance) -> Int32 {
        guard let open else { return Int32(SLUICE_BATCH_DONE.rawValue) }
        let partition = open.partition
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let due = partition.takeDueTimers(open, now: now)
        guard !due.isEmpty else { return Int32(SLUICE_BATCH_DONE.rawValue) }
        let keys = due.map { UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, $0.timer.key.count)) }
        defer { keys.forEach { $0.deallocate() } }
        let timers = UnsafeMutableBufferPointer<sluice_timer>.allocate(capacity: due.count)
        defer { timers.deallocate() }
        for (index, entry) in due.enumerated() {
            _ = keys[index].initialize(from: entry.timer.key)
            timers[index] = sluice_timer(clock: entry.timer.clock, due_ms: entry.due,
                                         key: UnsafePointer(keys[index].baseAddress), key_len: entry.timer.key.count)
        }
        var batch = sluice_timer_batch(
            struct_size: UInt32(MemoryLayout<sluice_timer_batch>.size), id: delivery.id,
            topic: UnsafePointer(delivery.handle.topicCString), partition: delivery.handle.partition.partition,
            partition_state: delivery.handle.partitionState, now_ms: now,
            stream_time_ms: partition.streamTime(open),
            count: due.count, timers: UnsafePointer(timers.baseAddress))
        let status = instance.onTimer(&batch) ?? Int32(SLUICE_BATCH_DONE.rawValue)
        if status == Int32(SLUICE_BATCH_PENDING.rawValue) {
            pluginSetError(batchID: delivery.id, index: -1, reason: "on_timer returned PENDING; timers must be handled before on_timer returns")
            return Int32(SLUICE_BATCH_FATAL.rawValue)
        }
        return status
    }

    /// Control thread: partitions with due timers get a timer delivery.
    func fireDueTimers() {
        guard let state, image.handlesTimers else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for partition in state.allPartitions where partition.hasDueTimers(now: now) {
            feed { machine, clock, actions in machine.timersDue(partition.partition, now: clock, into: &actions) }
        }
    }

    // MARK: - Seals

    /// Seals start at most this often per partition (a tenth of the commit
    /// interval, at most 200 ms): under load a seal then covers many
    /// batches, and a key written by all of them goes to the changelog and
    /// the store once. Offsets commit at the commit interval anyway, so a
    /// commit is barely later; a stop or a revocation waits at most this
    /// much more for its last seal.
    var sealInterval: Duration { min(commitInterval / 10, .milliseconds(200)) }

    /// Seals lane `lane`'s state (see the type's comment): at once, or once
    /// `sealInterval` has passed since the partition's last seal started.
    /// The seal then covers what has finished by the time it starts.
    func sealState(_ lane: LaneID) {
        guard let state, let partition = state.partition(lane.partition), partition.lane == lane else {
            feed { machine, _, actions in machine.sealed(lane, into: &actions) }
            return
        }
        let wait = partition.sealWait(now: ConditionLock.monotonicNow(), interval: sealInterval)
        guard wait > .zero else { return startSeal(lane, on: partition, state: state) }
        scheduler.schedule(after: wait) { [self] in startSeal(lane, on: partition, state: state) }
    }

    /// Takes the seal's writes and writes them (steps 1–3), then reports it sealed.
    private func startSeal(_ lane: LaneID, on partition: PartitionState, state: AgentState) {
        // The seal's extent and the writes it takes are decided under the
        // agent's lock, so no delivery settles between the two: a seal then
        // covers every delivery whose entry was done when it settled (what
        // `PartitionState.settle` relies on).
        let taken: (seal: OffsetLedger.Seal, work: PartitionState.SealWork?)? = feed { machine, now, _ in
            guard let seal = machine.extendSeal(lane) else { return nil }
            partition.sealStarted(at: now)
            return (seal, partition.takeSeal(through: seal.throughTicket))
        }
        guard let taken else { return }
        guard let work = taken.work else {
            // Nothing was written: the offsets commit as they are.
            feed { machine, _, actions in machine.sealed(lane, into: &actions) }
            return
        }
        writeSeal(work, lastOffset: taken.seal.lastOffset, throughTicket: taken.seal.throughTicket,
                  on: partition, state: state) { [self] in
            feed { machine, _, actions in machine.sealed(lane, into: &actions) }
        }
    }

    /// Steps 1–3 of a seal, then `done` (not called if the partition is revoked meanwhile).
    func writeSeal(_ work: PartitionState.SealWork, lastOffset: Int64, throughTicket: OffsetLedger.Ticket,
                   on partition: PartitionState, state: AgentState, done: @escaping @Sendable () -> Void) {
        let number = partition.partition.partition
        let headers = ChangelogRecord.headers(owner: partition.owner, seal: work.sequence)
        let records = work.writes.map { write in
            ChangelogRecord.record(for: write, topic: state.changelogs[write.table]!, partition: number, headers: headers)
        }
        produceAll(records, for: partition) { [self] _ in
            let marker = SealMarker(owner: partition.owner, seal: work.sequence, offset: lastOffset)
            let tables = partition.changelogTables
            let markers = tables.map { ChangelogRecord.record(for: marker, topic: state.changelogs[$0]!, partition: number) }
            produceAll(markers, for: partition) { [self] placements in
                var checkpoint = partition.checkpoint
                checkpoint.sealSequence = work.sequence
                checkpoint.appliedOffset = max(checkpoint.appliedOffset, lastOffset)
                for (table, placement) in zip(tables, placements) { checkpoint.changelogPositions[table] = placement.offset + 1 }
                do {
                    try state.store.apply(work.writes, checkpoint: checkpoint, partition: number)
                } catch {
                    fail("the local state store failed while sealing \(partition.partition): \(error)")
                    return
                }
                partition.sealApplied(through: throughTicket, writes: work.writes, checkpoint: checkpoint)
                state.metrics.recordSeal(writes: work.writes.count)
                done()
            }
        }
    }

    /// Produces every record until the broker stores it (a failure is tried
    /// again with backoff: a seal's writes are decided and cannot be dropped),
    /// then calls `stored` with their placements, in order. Gives up if the
    /// partition leaves this host.
    func produceAll(_ records: [OutgoingRecord], for partition: PartitionState,
                    stored: @escaping @Sendable ([RecordPlacement]) -> Void) {
        guard !records.isEmpty else { return stored([]) }
        let collected = Mutex<(placements: [RecordPlacement?], remaining: Int)>((Array(repeating: nil, count: records.count), records.count))
        for (index, record) in records.enumerated() {
            produceUntilStored(record, attempt: 1, giveUpIf: { partition.isClosed }) { placement in
                let finished: [RecordPlacement]? = collected.withLock { state in
                    state.placements[index] = placement
                    state.remaining -= 1
                    return state.remaining == 0 ? state.placements.map { $0! } : nil
                }
                if let finished { stored(finished) }
            }
        }
    }

    /// Produces `record`, trying again with the agent's backoff until it is
    /// stored or `giveUpIf` holds.
    func produceUntilStored(_ record: OutgoingRecord, attempt: Int, giveUpIf: @escaping @Sendable () -> Bool,
                            stored: @escaping @Sendable (RecordPlacement) -> Void) {
        producer.produce(record) { [self] result in
            switch result {
            case .success(let placement):
                stored(placement)
            case .failure(let error):
                guard !giveUpIf() else { return }
                recordError("produce to \(record.topic) failed: \(error); trying again (attempt \(attempt + 1))")
                let delay = settings.retry.backoff(forAttempt: attempt, random: Double.random(in: 0..<1))
                scheduler.schedule(after: delay) { [self] in
                    produceUntilStored(record, attempt: attempt + 1, giveUpIf: giveUpIf, stored: stored)
                }
            }
        }
    }
}
