@testable import SluiceHost
import Testing

/// The agent's scheduling decisions, event by event: no threads, no sleeps, no
/// plugin. Each test drives the sequence an end-to-end test relies on, or one
/// that end-to-end tests cannot reach reliably.
@Suite("Agent state machine")
struct AgentStateMachineTests {
    @Test("a lane runs one call at a time, in offset order, and commits the finished prefix")
    func oneCallPerLane() throws {
        var driver = MachineDriver()
        driver.assign(0)
        let dispatched1 = driver.fetch(0, from: 0, count: 3)
        let first = try #require(dispatched1.first)
        #expect(first.offsets == [0, 1, 2])
        let dispatched2 = driver.fetch(0, from: 3, count: 2)
        #expect(dispatched2.isEmpty, "the lane is busy: the second batch waits")
        #expect(driver.machine.inFlight == 5)
        driver.done(first)
        let second = try #require(driver.dispatched.first)
        #expect(second.offsets == [3, 4])
        #expect(driver.committable(0) == 3)
        driver.done(second)
        #expect(driver.committable(0) == 5)
        #expect(driver.machine.inFlight == 0)
        #expect(driver.machine.processed == 5)
    }

    @Test("PENDING frees the lane; commits wait for the earlier pending batch")
    func pendingFreesTheLane() throws {
        var driver = MachineDriver()
        driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let first = try #require(dispatched.first)
        driver.fetch(0, from: 2, count: 2)
        driver.returned(first, .pending)
        let second = try #require(driver.dispatched.first)
        driver.done(second)
        #expect(driver.committable(0) == nil, "offsets 2-3 are done but 0-1 are still pending")
        let outcome = driver.complete(first)
        #expect(outcome == .settled)
        #expect(driver.committable(0) == 4)
    }

    @Test("a complete() before on_batch returned PENDING is kept, takes effect once, and is not an error")
    func earlyCompletion() throws {
        var driver = MachineDriver()
        driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched.first)
        let outcome1 = driver.complete(batch)
        #expect(outcome1 == .early)
        #expect(driver.committable(0) == nil, "nothing settles while on_batch runs")
        driver.returned(batch, .pending)
        #expect(driver.committable(0) == 2)
        #expect(driver.machine.processed == 2)
        let outcome2 = driver.complete(batch)
        #expect(outcome2 == .unknown, "a second complete() is ignored")
        #expect(driver.machine.processed == 2)
    }

    @Test("RETRY blocks later batches of the partition until the retry finishes")
    func retryBlocksTheLane() throws {
        var driver = MachineDriver()
        let lane = driver.assign(0)
        let dispatched1 = driver.fetch(0, from: 0, count: 3)
        let batch = try #require(dispatched1.first)
        driver.returned(batch, .done(DeliveryResults(finished: 2, retries: [1], deadLetters: [])))
        let (retryLane, retry, backoffAttempt) = try #require(driver.scheduledRetries.first)
        #expect(retryLane == lane && backoffAttempt == 1)
        #expect(retry.offsets == [1] && retry.attempt == 2)
        let dispatched2 = driver.fetch(0, from: 3, count: 1)
        #expect(dispatched2.isEmpty, "a new batch waits behind the retry")
        #expect(driver.committable(0) == nil, "the retried record holds its whole batch's ledger entry")
        driver.retryDue(retry, lane: lane)
        #expect(driver.dispatched == [retry])
        driver.done(retry)
        let next = try #require(driver.dispatched.first, "the retry finished: the lane moves on")
        #expect(next.offsets == [3])
        driver.done(next)
        #expect(driver.committable(0) == 4)
        #expect(driver.machine.retried == 1)
    }

    @Test("retries exhausted under dead_letter: the reason names the attempts, the commit waits for the dead letter")
    func exhaustedToDeadLetter() throws {
        var driver = MachineDriver(maxAttempts: 2)
        let lane = driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 1)
        let batch = try #require(dispatched.first)
        driver.machine.setError(batch.id, index: 0, reason: "redis busy")
        driver.returned(batch, .done(DeliveryResults(finished: 0, retries: [0], deadLetters: [])))
        let retry = try #require(driver.scheduledRetries.first?.retry)
        driver.retryDue(retry, lane: lane)
        driver.machine.setError(retry.id, index: 0, reason: "redis still busy")
        driver.returned(retry, .done(DeliveryResults(finished: 0, retries: [0], deadLetters: [])))
        let letter = try #require(driver.deadLetters.first)
        #expect(letter.reason == "gave up after 2 attempts: redis still busy")
        #expect(driver.committable(0) == nil, "the dead letter is not acknowledged yet")
        driver.machine.deadLetterAcknowledged(lane: letter.lane, ticket: letter.ticket)
        #expect(driver.committable(0) == 1)
        #expect(driver.machine.deadLettered == 1)
        #expect(driver.machine.lastError == "dead-lettered t[0] offset 0: gave up after 2 attempts: redis still busy",
                "the last error names the last dead letter")
    }

    @Test("retries exhausted under pause: the partition is held until an operator resumes it")
    func exhaustedToPause() throws {
        var driver = MachineDriver(maxAttempts: 1, onExhausted: .pause)
        driver.assign(0)
        let dispatched1 = driver.fetch(0, from: 5, count: 2)
        let batch = try #require(dispatched1.first)
        driver.returned(batch, .done(DeliveryResults(finished: 1, retries: [1], deadLetters: [])))
        #expect(driver.actions.contains { if case .heldPartition = $0 { true } else { false } })
        guard case .paused(let reason) = driver.machine.reportedState else { Issue.record("not paused"); return }
        #expect(reason.hasPrefix("t[0] paused at offset 6 after 1 attempts"))
        let dispatched2 = driver.fetch(0, from: 7, count: 1)
        #expect(dispatched2.isEmpty)
        #expect(driver.committable(0) == nil, "nothing of the held batch is committed")
        var actions: [AgentAction<FakeDelivery>] = []
        let consumerMayResume = driver.machine.operatorResume(now: driver.now, into: &actions)
        #expect(consumerMayResume)
        driver.actions = actions
        let parked = try #require(driver.dispatched.first)
        #expect(parked.offsets == [6] && parked.attempt == 2)
        #expect(driver.machine.reportedState == .running)
    }

    @Test("a produced record holds the commit until acknowledged; a failure after settling sends the batch round again")
    func producedRecords() throws {
        var driver = MachineDriver()
        let lane = driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched.first)
        let receipt1 = driver.machine.produceRequested(for: batch.id)
        let receipt = try #require(receipt1)
        driver.done(batch)
        #expect(driver.committable(0) == nil)
        let receipt2 = driver.machine.produceRequested(for: batch.id)
        #expect(receipt2 == nil, "a settled batch cannot produce")
        var actions: [AgentAction<FakeDelivery>] = []
        driver.machine.produceFailed(receipt, reason: "produce to out failed: boom", now: driver.now, into: &actions)
        driver.actions = actions
        let redelivery = try #require(driver.dispatched.first)
        #expect(redelivery.offsets == [0, 1] && redelivery.attempt == 2)
        #expect(driver.machine.lastError == "produce to out failed: boom")
        #expect(driver.machine.currentLane(lane)?.retryBlocks == 1)
        driver.done(redelivery)
        #expect(driver.committable(0) == 2)
        #expect(driver.machine.currentLane(lane)?.retryBlocks == 0)
    }

    @Test("a stateful agent: a produce that fails after its batch settled fails the agent; the batch never seals or commits")
    func statefulProduceFailsAfterSettling() throws {
        var driver = MachineDriver(stateful: true)
        let lane = driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched.first)
        let requested = driver.machine.produceRequested(for: batch.id)
        let receipt = try #require(requested)
        driver.done(batch)
        var actions: [AgentAction<FakeDelivery>] = []
        driver.machine.produceFailed(receipt, reason: "produce to out failed: record too large", now: driver.now,
                                     into: &actions)
        driver.actions = actions
        #expect(driver.dispatched.isEmpty, "its records do not go round again: their writes are decided")
        let failure = try #require(driver.failure)
        #expect(failure.hasPrefix("produce to out failed: record too large; the batch of t[0] from offset 0 had settled"))
        #expect(failure.contains("stops rather than apply them twice"))
        #expect(driver.machine.takeRequestedSeals().isEmpty, "nothing to seal: the batch is not done")
        #expect(driver.machine.currentLane(lane)?.ledger.isEmpty == false)
        #expect(driver.committable(0) == nil)
    }

    @Test("a produce that fails while the batch is pending sends all of it round again on complete")
    func produceFailsWhilePending() throws {
        var driver = MachineDriver()
        driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched.first)
        driver.returned(batch, .pending)
        let requested = driver.machine.produceRequested(for: batch.id)
        let receipt = try #require(requested)
        var actions: [AgentAction<FakeDelivery>] = []
        driver.machine.produceFailed(receipt, reason: "broker down", now: driver.now, into: &actions)
        driver.complete(batch)
        let retry = try #require(driver.scheduledRetries.first?.retry)
        #expect(retry.offsets == [0, 1])
        #expect(driver.machine.processed == 0)
    }

    @Test("records produced through the tally: those unacknowledged at settling hold the commit until the last comes back")
    func tallyHoldsCommit() throws {
        var driver = MachineDriver()
        let (lane, batch, tally) = try driver.batchWithTally(count: 2, produced: 2)
        tally.acknowledged()
        driver.done(batch)
        #expect(driver.committable(0) == nil, "one produced record is not stored yet")
        #expect(driver.machine.produceTally(for: batch.id) == nil && !tally.produced(), "a settled batch cannot produce")
        #expect(driver.machine.awaitingProduces[batch.id] != nil)
        var actions: [AgentAction<FakeDelivery>] = []
        driver.machine.producesFinished(batch.id, failure: nil, now: driver.now, into: &actions)
        #expect(driver.committable(0) == 2)
        #expect(driver.machine.awaitingProduces.isEmpty)
        #expect(driver.machine.currentLane(lane)?.ledger.isEmpty == true)
    }

    @Test("a tally that owes nothing at settling commits at once")
    func tallyOwingNothing() throws {
        var driver = MachineDriver()
        let (_, batch, tally) = try driver.batchWithTally(count: 3, produced: 1)
        tally.acknowledged()
        driver.done(batch)
        #expect(driver.committable(0) == 3)
        #expect(driver.machine.awaitingProduces.isEmpty)
    }

    @Test("a record produced through the tally fails after settling: the whole batch goes round again, then commits")
    func tallyFailsAfterSettling() throws {
        var driver = MachineDriver()
        let (lane, batch, _) = try driver.batchWithTally(count: 2, produced: 1)
        driver.done(batch)
        var actions: [AgentAction<FakeDelivery>] = []
        driver.machine.producesFinished(batch.id, failure: "produce to out failed: boom", now: driver.now, into: &actions)
        driver.actions = actions
        let redelivery = try #require(driver.dispatched.first)
        #expect(redelivery.offsets == [0, 1] && redelivery.attempt == 2)
        #expect(driver.machine.lastError == "produce to out failed: boom")
        #expect(driver.committable(0) == nil)
        driver.done(redelivery)
        #expect(driver.committable(0) == 2)
        #expect(driver.machine.currentLane(lane)?.retryBlocks == 0)
    }

    @Test("a record produced through the tally fails while the batch is pending: all of it goes round again on complete")
    func tallyFailsWhilePending() throws {
        var driver = MachineDriver()
        let (_, batch, tally) = try driver.batchWithTally(count: 2, produced: 1)
        driver.returned(batch, .pending)
        tally.failed("produce to out failed: broker down")
        driver.complete(batch)
        let retry = try #require(driver.scheduledRetries.first?.retry)
        #expect(retry.offsets == [0, 1])
        #expect(driver.machine.processed == 0)
        #expect(driver.machine.lastError == "produce to out failed: broker down")
    }

    @Test("a stateful agent: a tallied record that fails after its batch settled fails the agent; nothing commits")
    func statefulTallyFailsAfterSettling() throws {
        var driver = MachineDriver(stateful: true)
        let (lane, batch, _) = try driver.batchWithTally(count: 2, produced: 1)
        driver.done(batch)
        var actions: [AgentAction<FakeDelivery>] = []
        driver.machine.producesFinished(batch.id, failure: "produce to out failed: record too large", now: driver.now,
                                        into: &actions)
        driver.actions = actions
        #expect(driver.dispatched.isEmpty)
        #expect(driver.failure?.contains("stops rather than apply them twice") == true)
        #expect(driver.machine.currentLane(lane)?.ledger.isEmpty == false)
        #expect(driver.committable(0) == nil)
    }

    @Test("a revoke during a pending batch drains it; late events of the old lane never touch the new one")
    func revokeDuringPendingBatch() throws {
        var driver = MachineDriver()
        let partition = MachineDriver.partition(0)
        let oldLane = driver.assign(0)
        let dispatched1 = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched1.first)
        driver.returned(batch, .pending)
        driver.fetch(0, from: 2, count: 3)
        let second = try #require(driver.dispatched.first)
        driver.done(second)
        let receipt = driver.machine.produceRequested(for: second.id)
        #expect(receipt == nil, "a settled batch cannot produce")
        driver.machine.revocationBegan([partition])
        let dispatched2 = driver.fetch(0, from: 5, count: 1)
        #expect(dispatched2.isEmpty, "a revoking lane takes no records")
        #expect(!driver.machine.isDrained([partition]), "the pending batch is not finished")
        let outcome = driver.complete(batch)
        #expect(outcome == .settled)
        #expect(driver.machine.isDrained([partition]))
        #expect(driver.machine.offsetsToCommit(only: [partition]) == [partition: 5])
        let closed = driver.machine.closeLanes([partition])
        #expect(closed.count == 1 && closed[0].closable)
        #expect(driver.machine.inFlight == 0)

        // Assigned again: a new lane; a late acknowledgement for the old one changes nothing.
        let newLane = driver.assign(0, at: 5)
        #expect(newLane != oldLane)
        let dispatched3 = driver.fetch(0, from: 5, count: 1)
        let fresh = try #require(dispatched3.first)
        driver.machine.deadLetterAcknowledged(lane: oldLane, ticket: fresh.ticket)
        #expect(driver.committable(0) == nil, "the old lane's ack did not finish the new lane's entry")
        driver.done(fresh)
        #expect(driver.committable(0) == 6)
    }

    @Test("a retry that comes due after its lane was revoked is dropped")
    func retryAfterRevoke() throws {
        var driver = MachineDriver()
        let lane = driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 1)
        let batch = try #require(dispatched.first)
        driver.returned(batch, .done(DeliveryResults(finished: 0, retries: [0], deadLetters: [])))
        let retry = try #require(driver.scheduledRetries.first?.retry)
        driver.machine.revocationBegan([MachineDriver.partition(0)])
        _ = driver.machine.closeLanes([MachineDriver.partition(0)])
        driver.assign(0)
        driver.retryDue(retry, lane: lane)
        #expect(driver.dispatched.isEmpty)
    }

    @Test("an upgrade during a retry backoff: the retry still runs, new batches wait for the new instance")
    func upgradeDuringRetryBackoff() throws {
        var driver = MachineDriver()
        let lane = driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched.first)
        driver.returned(batch, .done(DeliveryResults(finished: 1, retries: [1], deadLetters: [])))
        let retry = try #require(driver.scheduledRetries.first?.retry)
        driver.machine.swapBegan()
        driver.fetch(0, from: 2, count: 1)
        #expect(driver.dispatched.isEmpty)
        driver.retryDue(retry, lane: lane)
        #expect(driver.dispatched == [retry], "retries are in-flight work: they run during the swap")
        driver.done(retry)
        #expect(driver.dispatched.isEmpty, "fresh batches wait for the new instance")
        #expect(driver.machine.isDrained(Set([MachineDriver.partition(0)])))
        var actions: [AgentAction<FakeDelivery>] = []
        driver.machine.swapFinished(now: driver.now, into: &actions)
        driver.actions = actions
        #expect(driver.dispatched.first?.offsets == [2])
    }

    @Test("a batch timeout racing a late complete: redelivered once, the late complete ignored")
    func timeoutRacesLateComplete() throws {
        var driver = MachineDriver(batchTimeout: .seconds(5))
        driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched.first)
        driver.returned(batch, .pending)
        driver.tick(after: .seconds(4))
        #expect(driver.actions.isEmpty)
        driver.tick(after: .seconds(2))
        #expect(driver.actions.contains { if case .timedOut = $0 { true } else { false } })
        let retry = try #require(driver.scheduledRetries.first?.retry)
        #expect(retry.offsets == [0, 1])
        let outcome1 = driver.complete(batch)
        #expect(outcome1 == .afterTimeout)
        #expect(driver.machine.processed == 0, "the late results are not taken")
        let outcome2 = driver.complete(batch)
        #expect(outcome2 == .unknown)
    }

    @Test("an on_batch call that never returns fails the agent and replaces its worker")
    func stuckCall() throws {
        var driver = MachineDriver(batchTimeout: .seconds(5))
        driver.assign(0)
        let dispatched = driver.fetch(0, from: 7, count: 1)
        #expect(dispatched.count == 1)
        driver.tick(after: .seconds(6))
        #expect(driver.actions.contains { if case .replaceBlockedWorker = $0 { true } else { false } })
        let reason = try #require(driver.failure)
        #expect(reason.hasPrefix("on_batch for t[0] at offset 7 has not returned within batch_timeout"))
        let plan = driver.machine.planFetch()
        #expect(plan.stop)
        #expect(driver.machine.isQuiet([MachineDriver.partition(0)]), "a stuck lane is not waited for")
        driver.tick(after: .seconds(6))
        #expect(driver.failure == nil, "one failure per stuck lane")
    }

    @Test("FATAL fails the agent once, with the plugin's reason and the offset")
    func fatalBatch() throws {
        var driver = MachineDriver()
        driver.assign(3)
        let dispatched1 = driver.fetch(3, from: 40, count: 2)
        let batch = try #require(dispatched1.first)
        driver.machine.setError(batch.id, index: nil, reason: "disk full")
        driver.returned(batch, .fatal)
        #expect(driver.failure == "FATAL from t[3] at offset 40: disk full")
        #expect(driver.machine.reportedState == .failed("FATAL from t[3] at offset 40: disk full"))
        #expect(driver.machine.isDrained([MachineDriver.partition(3)]))
        let dispatched2 = driver.fetch(3, from: 42, count: 1)
        #expect(dispatched2.isEmpty)
    }

    @Test("an invalid status fails the agent; invalid results are dead-lettered with the host's reason")
    func invalidAnswers() throws {
        var driver = MachineDriver()
        driver.assign(0)
        let dispatched1 = driver.fetch(0, from: 0, count: 2)
        let batch = try #require(dispatched1.first)
        driver.returned(batch, .done(DeliveryResults(finished: 1, retries: [], deadLetters: [.init(index: 1, hostReason: "plugin wrote result 9, which is not a sluice_result")])))
        #expect(driver.deadLetters.map(\.reason) == ["plugin wrote result 9, which is not a sluice_result"])
        let dispatched2 = driver.fetch(0, from: 2, count: 1)
        let next = try #require(dispatched2.first)
        driver.returned(next, .invalid(7))
        #expect(driver.failure == "FATAL from t[0] at offset 2: on_batch returned 7, which is not a sluice_batch_status")
    }

    @Test("a stop during an operator pause: nothing new starts, the lanes drain and close, the agent reports stopped")
    func stopDuringPause() throws {
        var driver = MachineDriver()
        driver.assign(0)
        let dispatched = driver.fetch(0, from: 0, count: 1)
        let batch = try #require(dispatched.first)
        driver.machine.operatorPause()
        #expect(driver.machine.reportedState == .paused("paused by an operator"))
        let plan1 = driver.machine.planFetch()
        #expect(plan1.budget == 0)
        driver.fetch(0, from: 1, count: 1)
        driver.done(batch)
        #expect(driver.dispatched.isEmpty, "paused: the queued batch waits")
        driver.machine.stopRequested()
        let plan2 = driver.machine.planFetch()
        #expect(plan2.stop)
        let partition = MachineDriver.partition(0)
        driver.machine.revocationBegan([partition])
        #expect(driver.machine.coversEveryLane([partition]))
        #expect(driver.machine.isDrained([partition]))
        #expect(driver.machine.offsetsToCommit() == [partition: 1])
        _ = driver.machine.closeLanes([partition])
        #expect(driver.machine.inFlight == 0)
        driver.machine.fetcherFinished()
        #expect(driver.machine.reportedState == .stopped)
    }

    @Test("backpressure pauses the consumer at max_in_flight and resumes it at half")
    func backpressure() throws {
        var driver = MachineDriver(maxInFlight: 4)
        driver.assign(0)
        let plan1 = driver.machine.planFetch()
        #expect(plan1 == FetchPlan(stop: false, budget: 4, pausePartitions: false, resumePartitions: false))
        let dispatched = driver.fetch(0, from: 0, count: 2)
        let first = try #require(dispatched.first)
        driver.fetch(0, from: 2, count: 2)
        let plan2 = driver.machine.planFetch()
        #expect(plan2.pausePartitions)
        let plan3 = driver.machine.planFetch()
        #expect(!plan3.pausePartitions, "paused once")
        driver.done(first)
        #expect(driver.actions.contains { if case .wakeFetcher = $0 { true } else { false } })
        let plan4 = driver.machine.planFetch()
        #expect(plan4.resumePartitions)
    }

    @Test("partitions are independent: a retry on one never holds another")
    func partitionsAreIndependent() throws {
        var driver = MachineDriver()
        driver.assign(0)
        driver.assign(1)
        let dispatched1 = driver.fetch(0, from: 0, count: 1)
        let zero = try #require(dispatched1.first)
        driver.returned(zero, .done(DeliveryResults(finished: 0, retries: [0], deadLetters: [])))
        let dispatched2 = driver.fetch(1, from: 0, count: 1)
        let one = try #require(dispatched2.first)
        driver.done(one)
        #expect(driver.committable(1) == 1)
        #expect(driver.committable(0) == nil)
        #expect(driver.machine.partitions == [MachineDriver.partition(0), MachineDriver.partition(1)])
    }
}
