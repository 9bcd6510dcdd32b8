/// One agent's scheduling state and every decision made on it, as a pure value:
/// events go in (records fetched, a call returned, a batch completed, a produce
/// acknowledged, a retry due, a partition assigned or revoked, a swap, a pause,
/// a stop), and each returns the actions the shell must perform (dispatch,
/// dead-letter, schedule a retry, fail, wake the fetcher). No threads, no
/// locks, no clock: the shell (``AgentRunner``) holds it under its lock, passes
/// the time in, and performs the actions after releasing the lock.
///
/// The rules it keeps:
/// - a lane runs one `on_batch` call at a time, in offset order;
/// - a PENDING delivery frees its lane; a retry blocks later batches of its
///   partition until it finishes;
/// - the ledger commits only the finished, acknowledged prefix;
/// - late events of a revoked lane never touch a newer lane of that partition.
struct AgentStateMachine<Factory: DeliveryFactory> {
    typealias Fetched = Factory.Fetched
    typealias Delivery = Factory.Delivery
    typealias Lane = LaneState<Fetched, Delivery, Factory.LaneResources>
    typealias Action = AgentAction<Delivery>

    /// The agent settings the decisions depend on.
    struct Limits: Sendable, Equatable {
        /// Records handed over and not finished before the partitions pause.
        var maxInFlight: Int
        /// Deliveries of a record, the first included.
        var maxAttempts: Int
        /// What happens once they are used up.
        var onExhausted: FailurePolicy
        /// How long a delivery may stay unfinished.
        var batchTimeout: Duration
        /// The agent keeps state: a lane runs one delivery at a time until it
        /// settles, a delivery's writes are all or nothing, and done ledger
        /// entries wait for their seal.
        var stateful: Bool

        /// A stateful agent's finished records waiting for their seal (which
        /// no longer count in flight: their payloads are released) before
        /// the partitions pause: ten times `maxInFlight`. Seals cover every
        /// batch finished while the previous one was written, so a larger
        /// backlog means fewer, larger seals; the bound keeps the unsealed
        /// writes (and what a crash makes the agent process again) in check
        /// when the changelogs are slow.
        var maxAwaitingSeal: Int { maxInFlight.multipliedReportingOverflow(by: 10).overflow ? .max : maxInFlight * 10 }

        init(maxInFlight: Int, maxAttempts: Int, onExhausted: FailurePolicy, batchTimeout: Duration,
             stateful: Bool = false) {
            self.maxInFlight = maxInFlight
            self.maxAttempts = maxAttempts
            self.onExhausted = onExhausted
            self.batchTimeout = batchTimeout
            self.stateful = stateful
        }

        /// An isolated agent's batches are never sent round again for taking
        /// too long: its runner is killed past `batch_timeout` instead, and
        /// the batch it held is split down to the record that hangs, which is
        /// dead-lettered (see docs/isolation.md).
        init(_ settings: AgentSettings, stateful: Bool = false) {
            self.init(maxInFlight: settings.maxInFlight, maxAttempts: settings.retry.maxAttempts,
                      onExhausted: settings.onExhausted,
                      batchTimeout: settings.isolation == .process ? Self.isolatedBatchTimeout : settings.batchTimeout,
                      stateful: stateful)
        }

        /// The runtime's batch timeout for an isolated agent: never, in practice.
        static var isolatedBatchTimeout: Duration { .seconds(1 << 40) }
    }

    /// Whether the fetcher goes on.
    enum Lifecycle: Equatable {
        /// Fetching and dispatching.
        case running
        /// A stop was asked (or the agent failed): in-flight work finishes, nothing new starts.
        case stopping
        /// The fetcher has left its loop.
        case stopped
    }

    /// The plugin instance, as far as dispatch is concerned.
    enum Instance: Equatable {
        /// Takes batches.
        case live
        /// Being replaced in place: only retries (in-flight work) are dispatched.
        case swapping
        /// Destroyed: nothing is dispatched any more.
        case destroyed
    }

    let factory: Factory
    let limits: Limits
    var lifecycle: Lifecycle = .running
    var instance: Instance = .live
    var operatorPaused = false
    /// Why the agent failed, once it has.
    var failure: String?
    /// What operators see (paused and failed carry their reason).
    var reportedState: AgentStatus.State = .running
    var lanes: [TopicPartition: Lane] = [:]
    var deliveries: [UInt64: DeliveryState<Delivery>] = [:]
    /// Deliveries that timed out while PENDING: kept alive (the plugin may still
    /// read them) until their late complete() arrives.
    var timedOut: [UInt64: Delivery] = [:]
    /// Settled deliveries whose produced records were not all acknowledged
    /// yet: their ledger entry holds one unit until the last one is (the
    /// event `producesFinished`).
    var awaitingProduces: [UInt64: (delivery: Delivery, lane: LaneID)] = [:]
    /// Records handed to the agent (queued or delivered) and not finished.
    var inFlight = 0
    /// The consumer's partitions are paused because of `maxInFlight`.
    var holdingForBackpressure = false
    var processed = 0
    var deadLettered = 0
    var retried = 0
    var lastError: String?
    /// Records that crashed the plugin while handed over alone (crash
    /// quarantine), by partition and offset, with their dead-letter reason:
    /// a first delivery of one of them alone is dead-lettered, never dispatched.
    var crashDeadLetters: [TopicPartition: [Int64: String]] = [:]
    /// Seals the ledgers asked for during the current event, for the shell.
    var requestedSeals: [Action] = []
    private var nextGeneration: UInt64 = 1

    init(factory: Factory, limits: Limits) {
        self.factory = factory
        self.limits = limits
    }

    // MARK: - Fetching

    /// The fetcher's next step: its budget and whether backpressure pauses or
    /// resumes the consumer's partitions.
    mutating func planFetch() -> FetchPlan {
        let sealBudget = limits.stateful ? limits.maxAwaitingSeal - awaitingSeal : Int.max
        let budget = operatorPaused ? 0 : min(limits.maxInFlight - inFlight, sealBudget)
        var plan = FetchPlan(stop: lifecycle != .running, budget: max(0, budget),
                             pausePartitions: false, resumePartitions: false)
        if budget <= 0, !holdingForBackpressure {
            holdingForBackpressure = true
            plan.pausePartitions = true
        } else if holdingForBackpressure, belowResumeMark {
            holdingForBackpressure = false
            plan.resumePartitions = true
        }
        return plan
    }

    /// Records arrived: queued on their lanes (not on a lane being revoked), and
    /// dispatched where a lane is free. Returns how many records were taken.
    mutating func fetched(_ batches: [Fetched], now: Duration, into actions: inout [Action]) -> Int {
        var taken = 0
        var touched: [TopicPartition] = []
        for batch in batches {
            guard lanes[batch.source] != nil, lanes[batch.source]!.stage != .revoking else { continue }
            lanes[batch.source]!.enqueue(batch)
            inFlight += batch.count
            taken += batch.count
            touched.append(batch.source)
        }
        for partition in touched { dispatchNext(partition, now: now, into: &actions) }
        return taken
    }

    // MARK: - Dispatch

    /// Starts the lane's next delivery if it may run now: a due retry first
    /// (retries are in-flight work and run even while paused, swapping or
    /// stopping), else the next fetched batch.
    mutating func dispatchNext(_ partition: TopicPartition, now: Duration, into actions: inout [Action]) {
        guard lanes[partition] != nil else { return }
        let (instance, lifecycle, operatorPaused, factory) = (instance, lifecycle, operatorPaused, factory)
        let sequential = limits.stateful
        // In place (`&lanes[partition]!`): a copy of the lane would copy its queues on every dispatch.
        let next: (delivery: Delivery, lane: LaneID)? = Self.takeNext(from: &lanes[partition]!) { lane in
            guard lane.inCall == nil, lane.stage != .failed, !lane.isHeld, instance != .destroyed else { return nil }
            // A stateful lane's next delivery must not read writes a pending one could still drop.
            if sequential, lane.pendingDeliveries > 0 { return nil }
            if !lane.readyRetries.isEmpty { return lane.readyRetries.removeFirst() }
            guard lane.retryBlocks == 0, lane.stage == .active, instance == .live, lifecycle == .running,
                  !operatorPaused else { return nil }
            if lane.timersDue {
                lane.timersDue = false
                return factory.timerDelivery(resources: lane.resources, ticket: lane.ledger.trackWithoutRecords())
            }
            guard let fetched = lane.dequeue() else { return nil }
            let ticket = lane.ledger.track(lastOffset: fetched.lastOffset, records: fetched.count)
            return factory.firstDelivery(of: fetched, resources: lane.resources, ticket: ticket)
        }
        guard let next else { return }
        deliveries[next.delivery.id] = DeliveryState(delivery: next.delivery, lane: next.lane, startedAt: now)
        if let reason = quarantineReason(next.delivery, partition) {
            // It crashed the plugin when handed over alone: straight to the dead-letter topic.
            settle(next.delivery.id, fatal: false,
                   results: DeliveryResults(finished: 0, retries: [], deadLetters: [.init(index: 0, hostReason: reason)]),
                   now: now, into: &actions)
            dispatchNext(partition, now: now, into: &actions)
            return
        }
        actions.append(.dispatch(next.delivery))
    }

    /// The dead-letter reason of a first delivery of one record that the crash quarantine keeps from the plugin.
    private func quarantineReason(_ delivery: Delivery, _ partition: TopicPartition) -> String? {
        guard !crashDeadLetters.isEmpty, delivery.count == 1, delivery.attempt == 1,
              let offsets = crashDeadLetters[partition] else { return nil }
        return offsets[delivery.offset(at: 0)]
    }

    /// The lane's next delivery, if `choose` finds one; the lane is then busy with it.
    private static func takeNext(from lane: inout Lane, _ choose: (inout Lane) -> Delivery?) -> (Delivery, LaneID)? {
        guard let delivery = choose(&lane) else { return nil }
        lane.inCall = delivery.id
        return (delivery, lane.id)
    }

    /// Timers of `partition` are due: a timer delivery runs on its lane when
    /// the lane is free (before the next fetched batch).
    mutating func timersDue(_ partition: TopicPartition, now: Duration, into actions: inout [Action]) {
        guard lanes[partition] != nil, !lanes[partition]!.timersDue else { return }
        lanes[partition]!.timersDue = true
        dispatchNext(partition, now: now, into: &actions)
    }

    /// Lane `id`'s seal in flight, extended over what finished since it was
    /// asked for; nil when the lane is gone.
    mutating func extendSeal(_ id: LaneID) -> OffsetLedger.Seal? {
        withCurrentLane(id) { $0.ledger.extendSealInFlight() } ?? nil
    }

    /// Whether lane `id`'s ledger entry `ticket` and every one before it are
    /// done (`OffsetLedger.isDone(through:)`); false for a lane that is gone.
    mutating func isDone(through ticket: OffsetLedger.Ticket, on id: LaneID) -> Bool {
        withCurrentLane(id) { $0.ledger.isDone(through: ticket) } ?? false
    }

    /// Finished records of every lane waiting for their seal.
    var awaitingSeal: Int {
        limits.stateful ? lanes.values.reduce(0) { $0 + $1.ledger.awaitingSeal } : 0
    }

    /// Backpressure lets go: in flight and awaiting seals both at half their limit.
    var belowResumeMark: Bool {
        inFlight <= limits.maxInFlight / 2 && (!limits.stateful || awaitingSeal <= limits.maxAwaitingSeal / 2)
    }

    /// The seal of lane `id` is durable: its entries commit, and the next
    /// seal may be asked for.
    mutating func sealed(_ id: LaneID, into actions: inout [Action]) {
        guard let released = withCurrentLane(id, { $0.ledger.sealed() }) else { return }
        inFlight -= released
        noteSealRequest(id)
        if holdingForBackpressure, belowResumeMark { actions.append(.wakeFetcher) }
    }

    /// Moves a seal the lane's ledger asks for into `requestedSeals`.
    mutating func noteSealRequest(_ id: LaneID) {
        guard limits.stateful, let seal = withCurrentLane(id, { $0.ledger.takeSealRequest() }) ?? nil else { return }
        requestedSeals.append(.seal(lane: id, seal: seal))
    }

    /// The seals asked for since the last call (the shell appends them to the event's actions).
    mutating func takeRequestedSeals() -> [Action] {
        defer { requestedSeals.removeAll() }
        return requestedSeals
    }

    /// Tries every lane (after a swap, a resume).
    mutating func dispatchEverywhere(now: Duration, into actions: inout [Action]) {
        for partition in lanes.keys { dispatchNext(partition, now: now, into: &actions) }
    }

    /// The lane `id`, if it is still the partition's current lane.
    func currentLane(_ id: LaneID) -> Lane? {
        guard let lane = lanes[id.partition], lane.id == id else { return nil }
        return lane
    }

    /// Runs `body` on lane `id` if it is still the partition's current lane.
    mutating func withCurrentLane<T>(_ id: LaneID, _ body: (inout Lane) -> T) -> T? {
        guard lanes[id.partition]?.id == id else { return nil }
        return body(&lanes[id.partition]!)
    }

    // MARK: - Status

    /// Assigned partitions, sorted by topic and partition.
    var partitions: [TopicPartition] {
        lanes.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// The operator's snapshot.
    func status(name: String, plugin: String, version: String, sha256: String) -> AgentStatus {
        AgentStatus(name: name, plugin: plugin, version: version, sha256: sha256, state: reportedState, partitions: partitions,
                    inFlight: inFlight, processed: processed, deadLettered: deadLettered, retried: retried,
                    lastError: lastError)
    }

    mutating func newLaneID(for partition: TopicPartition) -> LaneID {
        defer { nextGeneration += 1 }
        return LaneID(partition: partition, generation: nextGeneration)
    }
}
