import CSluicePlugin

/// What `on_batch` returned, as the machine reads it.
enum BatchReturn: Equatable {
    /// DONE: every result is written.
    case done(DeliveryResults)
    /// PENDING: complete() comes later (or already came).
    case pending
    /// FATAL: the agent cannot go on.
    case fatal
    /// A value that is not a `sluice_batch_status`.
    case invalid(Int32)
}

/// How a complete() call was taken.
enum CompletionOutcome: Equatable {
    /// The delivery was pending and is now settled.
    case settled
    /// on_batch had not returned yet: the completion is kept and takes effect
    /// when it returns PENDING. Allowed, and not an error.
    case early
    /// The delivery timed out before and was already sent round again.
    case afterTimeout
    /// No such delivery is open (completed twice, or never dispatched).
    case unknown
}

extension AgentStateMachine {
    // MARK: - Calls into the plugin and their answers

    /// on_batch for `id` returned.
    mutating func returned(_ id: UInt64, _ answer: BatchReturn, now: Duration, into actions: inout [Action]) {
        guard var state = deliveries[id] else { return }
        switch answer {
        case .pending:
            if case .inCall(let early?) = state.phase {
                settle(id, fatal: early.fatal, results: early.results, now: now, into: &actions)
            } else {
                state.phase = .pending
                deliveries[id] = state
                withCurrentLane(state.lane) { lane in
                    lane.pendingDeliveries += 1
                    if lane.inCall == id { lane.inCall = nil }
                }
            }
        case .done(let results):
            settle(id, fatal: false, results: results, now: now, into: &actions)
        case .fatal:
            settle(id, fatal: true, results: nil, now: now, into: &actions)
        case .invalid(let status):
            state.batchReason = "on_batch returned \(status), which is not a sluice_batch_status"
            deliveries[id] = state
            settle(id, fatal: true, results: nil, now: now, into: &actions)
        }
        dispatchNext(state.lane.partition, now: now, into: &actions)
    }

    /// complete() for `id` arrived (from any thread), with the results it left.
    mutating func completed(_ id: UInt64, fatal: Bool, results: DeliveryResults, now: Duration,
                            into actions: inout [Action]) -> CompletionOutcome {
        guard var state = deliveries[id] else {
            return timedOut.removeValue(forKey: id) != nil ? .afterTimeout : .unknown
        }
        switch state.phase {
        case .inCall(early: nil):
            state.phase = .inCall(early: .init(fatal: fatal, results: results))
            deliveries[id] = state
            return .early
        case .inCall:
            return .unknown
        case .pending:
            withCurrentLane(state.lane) { $0.pendingDeliveries -= 1 }
            settle(id, fatal: fatal, results: results, now: now, into: &actions)
            dispatchNext(state.lane.partition, now: now, into: &actions)
            return .settled
        }
    }

    /// set_error for record `index` of `id` (nil: the whole batch).
    mutating func setError(_ id: UInt64, index: Int?, reason: String) {
        guard var state = deliveries[id] else { return }
        if let index {
            guard index >= 0, index < state.delivery.count else { return }
            state.reasons[index] = reason
        } else {
            state.batchReason = reason
        }
        deliveries[id] = state
    }

    // MARK: - Produced records

    /// The plugin produces a record for `id`: the ledger waits for its
    /// acknowledgement. Nil when the delivery is not open (refused).
    mutating func produceRequested(for id: UInt64) -> ProduceReceipt<Delivery>? {
        guard let state = deliveries[id] else { return nil }
        let ticket = state.delivery.ticket
        withCurrentLane(state.lane) { $0.ledger.add(1, to: ticket) }
        return ProduceReceipt(delivery: state.delivery, lane: state.lane, ticket: ticket)
    }

    /// The tally of delivery `id`, for records produced without the lock
    /// (``ProduceTally``); nil when the delivery is not open (refused).
    func produceTally(for id: UInt64) -> ProduceTally? {
        deliveries[id]?.produced
    }

    /// The last record produced for settled delivery `id` through its tally
    /// came back: its ledger unit is released, or, when one of them failed
    /// (`failure`), the delivery's records go round again.
    mutating func producesFinished(_ id: UInt64, failure: String?, now: Duration, into actions: inout [Action]) {
        guard let awaited = awaitingProduces.removeValue(forKey: id) else { return }
        if let failure {
            lastError = failure
            guard redeliverSettled(awaited.delivery, lane: awaited.lane, reason: failure, into: &actions) else { return }
        }
        release(1, of: awaited.delivery.ticket, on: awaited.lane)
        dispatchNext(awaited.lane.partition, now: now, into: &actions)
    }

    /// The broker stored a record produced for a delivery.
    mutating func produceAcknowledged(_ receipt: ProduceReceipt<Delivery>) {
        release(1, of: receipt.ticket, on: receipt.lane)
    }

    /// A record produced for a delivery failed for good: the delivery's records
    /// go round again (at once if it had settled already).
    ///
    /// Not for a stateful agent's settled delivery: its table writes were
    /// decided when it settled, and later batches may have read them, so
    /// sending its records round again would apply them twice. The agent
    /// fails instead, and the failed unit is never released: the batch never
    /// seals or commits, and a restart restores the state of the last seal and
    /// processes it again.
    mutating func produceFailed(_ receipt: ProduceReceipt<Delivery>, reason: String, now: Duration,
                                into actions: inout [Action]) {
        lastError = reason
        let id = receipt.delivery.id
        if deliveries[id] != nil {
            if deliveries[id]!.redeliveryReason == nil { deliveries[id]!.redeliveryReason = reason }
        } else if !redeliverSettled(receipt.delivery, lane: receipt.lane, reason: reason, into: &actions) {
            return
        }
        release(1, of: receipt.ticket, on: receipt.lane)
        dispatchNext(receipt.lane.partition, now: now, into: &actions)
    }

    /// A record produced for `delivery`, which had settled, failed for good:
    /// its records go round again (when its lane is still current). False
    /// when the agent failed instead (a stateful agent: see `produceFailed`);
    /// the failed unit must then never be released.
    private mutating func redeliverSettled(_ delivery: Delivery, lane id: LaneID, reason: String,
                                           into actions: inout [Action]) -> Bool {
        guard currentLane(id) != nil else { return true }
        if limits.stateful {
            let which = delivery.count > 0 ? "from offset \(delivery.offset(at: 0))" : "of due timers"
            fail("\(reason); the batch of \(id.partition) \(which) had settled and its table writes "
                 + "were decided, so a stateful agent stops rather than apply them twice: restart it once the cause is fixed "
                 + "(it resumes from its last seal)", into: &actions)
            return false
        }
        let redelivery = factory.redelivery(of: delivery, indices: Array(0..<delivery.count))
        withCurrentLane(id) { lane in
            lane.ledger.add(redelivery.count, to: delivery.ticket)
            lane.retryBlocks += 1
            lane.readyRetries.append(redelivery)
        }
        retried += redelivery.count
        return true
    }

    /// The broker stored a dead letter.
    mutating func deadLetterAcknowledged(lane: LaneID, ticket: OffsetLedger.Ticket) {
        release(1, of: ticket, on: lane)
    }

    /// A retry's backoff has passed.
    mutating func retryDue(_ retry: Delivery, lane: LaneID, now: Duration, into actions: inout [Action]) {
        guard withCurrentLane(lane, { $0.readyRetries.append(retry) }) != nil else { return }
        dispatchNext(lane.partition, now: now, into: &actions)
    }

    // MARK: - Batch timeout

    /// A PENDING delivery older than `batch_timeout` is sent round again (RETRY,
    /// then the agent's policy); its late complete() is ignored. An on_batch
    /// call older than that never returned: C code cannot be interrupted, so
    /// the agent fails (its worker thread stays blocked in the plugin).
    mutating func batchTimeoutTick(now: Duration, into actions: inout [Action]) {
        let limit = limits.batchTimeout
        var stuck: [DeliveryState<Delivery>] = []
        for (id, state) in deliveries where now - state.startedAt > limit {
            switch state.phase {
            case .pending:
                deliveries[id]!.redeliveryReason = "the plugin did not complete the batch within batch_timeout (\(limit))"
                withCurrentLane(state.lane) { $0.pendingDeliveries -= 1 }
                timedOut[id] = state.delivery
                actions.append(.timedOut(state.delivery, state.lane.partition))
                settle(id, fatal: false, results: nil, now: now, into: &actions)
                dispatchNext(state.lane.partition, now: now, into: &actions)
            case .inCall:
                let failedNow = withCurrentLane(state.lane) { lane -> Bool in
                    guard lane.stage != .failed else { return false }
                    lane.stage = .failed
                    return true
                }
                if failedNow == true { stuck.append(state) }
            }
        }
        for _ in stuck { actions.append(.replaceBlockedWorker) }
        if let first = stuck.first {
            fail("on_batch for \(first.lane.partition) at offset \(first.delivery.offset(at: 0)) has not returned within "
                 + "batch_timeout (\(limit)); the agent is stopped and one worker thread stays blocked in the plugin "
                 + "(a new worker thread replaces it)", into: &actions)
        }
    }

    // MARK: - Settling a finished delivery

    /// Takes a finished delivery's results: ledger, dead letters, retries, the
    /// exhausted policy. `results` nil: FATAL, or sent round whole.
    mutating func settle(_ id: UInt64, fatal: Bool, results: DeliveryResults?, now: Duration,
                         into actions: inout [Action]) {
        guard let state = deliveries.removeValue(forKey: id) else { return }
        let delivery = state.delivery
        // Records produced through the tally and not yet stored hold the
        // entry back by one unit, taken before the records' own units go.
        let produced = state.produced.close()
        if produced.unacknowledged > 0 {
            withCurrentLane(state.lane) { $0.ledger.add(1, to: delivery.ticket) }
            awaitingProduces[id] = (delivery, state.lane)
        }
        withCurrentLane(state.lane) { lane in
            if lane.inCall == id { lane.inCall = nil }
        }
        if fatal {
            if limits.stateful { actions.append(.stateSettled(delivery, lane: state.lane, keep: false)) }
            withCurrentLane(state.lane) { $0.stage = .failed }
            let reason = state.batchReason ?? "on_batch returned FATAL without a reason"
            fail("FATAL from \(state.lane.partition) at offset \(delivery.offset(at: 0)): \(reason)", into: &actions)
            return
        }
        var batchReason = state.batchReason
        var outcome: DeliveryResults
        if state.redeliveryReason == nil, let failure = produced.failure { lastError = failure }
        if let redelivery = state.redeliveryReason ?? produced.failure {
            // A produced record was not stored, or the delivery timed out: all of it goes round again.
            batchReason = redelivery
            outcome = DeliveryResults(finished: 0, retries: Array(0..<delivery.count), deadLetters: [])
        } else {
            outcome = results ?? .allFinished(delivery.count)
        }
        let exhausted = attemptsExhausted(delivery)
        if limits.stateful, !outcome.retries.isEmpty, !exhausted || limits.onExhausted == .pause {
            // A stateful delivery's writes are all or nothing: when any record
            // goes round again, all of them do, and the writes are dropped.
            outcome = DeliveryResults(finished: 0, retries: Array(0..<delivery.count), deadLetters: [])
        }
        if limits.stateful {
            actions.append(.stateSettled(delivery, lane: state.lane, keep: outcome.retries.isEmpty || (exhausted && limits.onExhausted == .deadLetter)))
        }
        func reason(_ index: Int, _ fallback: String) -> String {
            state.reasons[index] ?? batchReason ?? fallback
        }
        var deadLetters = outcome.deadLetters.map { entry in
            (index: entry.index, reason: entry.hostReason
                ?? reason(entry.index, "the plugin dead-lettered the record without a reason"))
        }
        processed += outcome.finished
        // A timer delivery has no records: its ledger unit is the call itself.
        release(delivery.count == 0 ? 1 : outcome.finished, of: delivery.ticket, on: state.lane)

        var retriedNow = 0
        let attempt = delivery.attempt
        let holdsBlock = attempt > 1
        let laneIsCurrent = currentLane(state.lane) != nil
        if outcome.retries.isEmpty {
            if holdsBlock { withCurrentLane(state.lane) { $0.retryBlocks -= 1 } }
        } else if !exhausted {
            if laneIsCurrent {
                let retry = factory.redelivery(of: delivery, indices: outcome.retries)
                if !holdsBlock { withCurrentLane(state.lane) { $0.retryBlocks += 1 } }
                retried += retry.count
                retriedNow = retry.count
                actions.append(.scheduleRetry(lane: state.lane, retry: retry, backoffAttempt: Int(attempt)))
            }
        } else {
            switch limits.onExhausted {
            case .deadLetter:
                for index in outcome.retries {
                    deadLetters.append((index, "gave up after \(attempt) attempts: "
                        + reason(index, "the plugin asked for a retry without a reason")))
                }
                if holdsBlock { withCurrentLane(state.lane) { $0.retryBlocks -= 1 } }
            case .pause:
                if laneIsCurrent {
                    let first = outcome.retries[0]
                    let held = "\(state.lane.partition) paused at offset \(delivery.offset(at: first)) after \(attempt) attempts: "
                        + reason(first, "retries exhausted")
                    let parked = factory.redelivery(of: delivery, indices: outcome.retries)
                    withCurrentLane(state.lane) { lane in
                        if !holdsBlock { lane.retryBlocks += 1 }
                        lane.hold = .exhausted(reason: held, parked: parked)
                    }
                    reportedState = .paused(held)
                    lastError = held
                    actions.append(.heldPartition(state.lane.partition))
                }
            }
        }
        deadLettered += deadLetters.count
        if let (index, reason) = deadLetters.last {
            // Operators see why records are being dead-lettered, not a stale or empty error.
            lastError = "dead-lettered \(state.lane.partition) offset \(delivery.offset(at: index)): \(reason)"
        }
        for (index, reason) in deadLetters {
            actions.append(.deadLetter(DeadLetterOrder(delivery: delivery, index: index, reason: reason,
                                                       lane: state.lane, ticket: delivery.ticket)))
        }
        actions.append(.finished(.init(processed: outcome.finished, retried: retriedNow, inFlight: inFlight,
                                       duration: now - state.startedAt)))
        if holdingForBackpressure, belowResumeMark { actions.append(.wakeFetcher) }
    }

    /// Marks `units` of ledger entry `ticket` finished on lane `id` (nothing if
    /// the lane was revoked meanwhile: its records are fetched again).
    mutating func release(_ units: Int, of ticket: OffsetLedger.Ticket, on id: LaneID) {
        if let released = withCurrentLane(id, { $0.ledger.finish(units, of: ticket) }) {
            inFlight -= released
            noteSealRequest(id)
        }
    }

    /// Whether `delivery` was the last attempt its records get.
    func attemptsExhausted(_ delivery: Delivery) -> Bool {
        delivery.attempt >= UInt32(max(1, limits.maxAttempts))
    }
}
