import CSluicePlugin
import Foundation

/// Dispatches the C hooks to an ``Agent``: every batch is answered PENDING
/// and handled by one task, after the previous batch of its partition. The
/// tasks, and `flush`, run on the instance's own ``InstanceExecutor``.
final class AsyncAgentInstance<A: Agent>: TypedAgentInstance<A>, @unchecked Sendable {
    // @unchecked: `executor` is immutable and Sendable; the base class says why the rest is safe.
    /// Where the agent's code runs; started in `create`, stopped in `destroy`.
    let executor: InstanceExecutor
    /// Whether the agent overrides ``Agent/makeDecoder()`` (then Foundation decodes its values).
    let usesFoundationDecoder = ValueDecoding.usesFoundation(A.self)

    /// The agent's tables and timers; nil for an agent that keeps none.
    let state: AgentStateRuntime?
    /// Lent to every batch's `produce(topic:key:json:)`: one encoder and output buffer per instance.
    let encoder = ReusableRecordEncoder()
    /// The per-record loop, compiled for `A` in the agent's module.
    let records: TypedRecordLoop<A>.Body

    init(agent: A, host: HostServices, executor: InstanceExecutor, state: AgentStateRuntime? = nil,
         records: @escaping TypedRecordLoop<A>.Body) {
        self.executor = executor
        self.state = state
        self.records = records
        super.init(agent: agent, host: host)
    }

    /// The name of an instance's threads: `sluice-sdk-<agent name>`.
    static var threadName: String { "sluice-sdk-\(A.name)" }

    override func flushAgent() throws {
        let agent = agent
        try runBlocking(on: executor) { try await agent.flush() }
    }

    override func stopExecution(batchesDrained: Bool) {
        guard batchesDrained else {
            // A batch still running after the drain timeout may be stuck in a
            // job, and its task still uses the executor: do not wait for the
            // threads, and keep the executor alive (leaked, on purpose).
            _ = Unmanaged.passRetained(executor)
            executor.shutdown(join: false)
            return
        }
        executor.shutdown()
    }

    override func onBatch(_ batch: BorrowedBatch) -> Int32 {
        let slot = batch.slot
        let previous = slot?.tail
        inFlight.enter()
        let pending = PendingBatch(batch: batch, host: host, whenFinished: { [inFlight] in inFlight.leave() })
        let (agent, host, usesFoundationDecoder, state, encoder, records) =
            (agent, host, usesFoundationDecoder, state, encoder, records)
        let task = Task(executorPreference: executor) {
            // Keep the partition's order: this batch starts after the previous one finished.
            await previous?.value
            await Self.process(batch, pending: pending, agent: agent, host: host, slot: slot,
                               usesFoundationDecoder: usesFoundationDecoder, state: state, encoder: encoder,
                               records: records)
        }
        // on_batch never runs concurrently for one partition, so this write is race-free.
        slot?.tail = task
        return pending.statusForOnBatch()
    }

    /// Decodes and handles the batch's records in order (`records`, the loop
    /// compiled for the agent), writes the results, and completes the batch.
    private static func process(_ batch: BorrowedBatch, pending: PendingBatch, agent: A, host: HostServices,
                                slot: PartitionSlot?, usesFoundationDecoder: Bool, state: AgentStateRuntime?,
                                encoder: ReusableRecordEncoder, records: TypedRecordLoop<A>.Body) async {
        let session = state.map { StateSession(host: host, batchID: batch.id, runtime: $0, slot: slot) }
        // A stateful batch's records go one by one: the host orders them with its table writes.
        let outbox = state == nil && ProduceOutbox.isSupported(by: host)
            ? ProduceOutbox(host: host, batchID: batch.id, encoders: encoder) : nil
        let context = AgentContext(host: host, batchID: batch.id, topic: batch.topic, partition: batch.partition,
                                   attempt: batch.attempt, slot: slot, session: session, encoder: encoder, outbox: outbox)
        let startsTimers = state.map { !$0.timerOrder.isEmpty && slot?.declaredTimersStarted == false } ?? false
        if let state, startsTimers {
            do {
                try state.startDeclaredTimers(host: host, batchID: batch.id, now: wallClockMilliseconds())
            } catch {
                // Without its timers the agent would silently never fire them: retry the batch.
                for index in 0..<batch.count { batch.setOutcome(.retry(reason: error.description), at: index, host: host) }
                pending.complete()
                return
            }
        }
        let decoder = ValueDecoding(for: A.self, foundation: usesFoundationDecoder)
        // Every key of the batch in one buffer: records share it instead of an array each.
        let keys = BatchKeys(batch)
        let end = await records(batch, agent, decoder, keys, context, state != nil)
        do {
            try outbox?.finish()
        } catch {
            // The host refused the gathered records (it logged why): the batch goes round again.
            for index in 0..<batch.count { batch.setOutcome(.retry(reason: error.description), at: index, host: host) }
        }
        switch end {
        case .fatal(let reason):
            pending.fail(reason: reason)
        case .finished(let retried):
            // A retried batch's writes (its timers too) are dropped: schedule them again next time.
            if startsTimers && !retried { slot?.declaredTimersStarted = true }
            pending.complete()
        }
    }

    override func onTimer(_ timers: BorrowedTimerBatch) -> Int32 {
        guard let state else { return Int32(SLUICE_BATCH_DONE.rawValue) }
        let status = TimerFiringStatus()
        let (agent, host, encoder) = (agent, host, encoder)
        let slot = timers.slot
        let previous = slot?.tail
        inFlight.enter()
        defer { inFlight.leave() }
        // The host's thread waits here, as it must (on_timer has no PENDING); the
        // work runs on the instance's threads, never on the cooperative pool.
        do {
            try runBlocking(on: executor) {
                await previous?.value
                status.fatalReason = await Self.fire(timers, agent: agent, host: host, state: state, slot: slot,
                                                       encoder: encoder)
            }
        } catch {
            status.fatalReason = String(describing: error)
        }
        guard let reason = status.fatalReason else { return Int32(SLUICE_BATCH_DONE.rawValue) }
        host.setError(batchID: timers.id, index: nil, reason: reason)
        return Int32(SLUICE_BATCH_FATAL.rawValue)
    }

    /// Handles each due timer: window timers close their window, declared
    /// timers are rescheduled and handed to the agent, scheduled ones handed
    /// over. Returns a fatal reason, or nil.
    private static func fire(_ timers: BorrowedTimerBatch, agent: A, host: HostServices,
                             state: AgentStateRuntime, slot: PartitionSlot?, encoder: ReusableRecordEncoder) async -> String? {
        let session = StateSession(host: host, batchID: timers.id, runtime: state, slot: slot)
        let context = AgentContext(host: host, batchID: timers.id, topic: timers.topic, partition: timers.partition,
                                   attempt: 1, slot: slot, session: session, encoder: encoder)
        // The host's stream time covers every record delivered so far, those
        // handled before a restart too: late records are then judged against it.
        slot?.advanceStreamTime(to: timers.streamTimeMilliseconds)
        for index in 0..<timers.count {
            let (clock, due, key) = timers.timer(at: index)
            do {
                if let window = WindowKeys.parseTimer(key) {
                    try await WindowClosing.close(table: window.table, start: window.start, firedOn: clock,
                                                  session: session, context: context)
                } else if key.hasPrefix("t/") {
                    let name = String(key.dropFirst(2))
                    guard let declared = state.timers[name] else {
                        host.log(.warning, "timer '\(name)' is no longer declared; dropped")
                        continue
                    }
                    if let next = declared.nextDue(after: due, now: timers.nowMilliseconds) {
                        try host.scheduleTimer(batchID: timers.id, clock: .wall, dueMilliseconds: next, key: key)
                    }
                    try await agent.onTimer(TimerFiring(name: name, origin: .declared, clock: clock, dueMilliseconds: due), context: context)
                } else if key.hasPrefix("u/") {
                    try await agent.onTimer(TimerFiring(name: String(key.dropFirst(2)), origin: .scheduled, clock: clock,
                                                        dueMilliseconds: due), context: context)
                } else {
                    host.log(.warning, "timer with unknown key '\(key)' ignored")
                }
            } catch AgentError.fatal(let reason) {
                return reason
            } catch {
                host.log(.error, "timer '\(key)' failed: \(error)")
                host.counter("timer_errors").add()
            }
        }
        return nil
    }
}

/// The outcome of one on_timer call, carried out of its task.
private final class TimerFiringStatus: @unchecked Sendable {
    // @unchecked: written by the task before runBlocking returns, read after.
    var fatalReason: String?
}
