import Foundation
import Logging

extension AgentRunner {
    /// The control thread: polls within the in-flight budget, hands what it
    /// fetched to the machine (and runs short batches itself, see
    /// ``InlineDispatch``), enforces batch timeouts and commits on the
    /// interval, until a stop or a failure; then closes the consumer, which
    /// revokes every partition (drain, flush, commit, close). `generation`
    /// is this thread's turn: when the watchdog hands polling to a newer one,
    /// this thread ends as soon as its stalled call returns, and leaves the
    /// consumer to the new thread.
    func fetchLoop(_ consumer: any RecordConsumer, generation: UInt64) {
        let inlineSlot = InlineSlot(runner: self)
        defer { inlineSlot.release() }
        var lastCommit = ConditionLock.monotonicNow()
        while true {
            if let next = takeRequestedUpgrade() { performUpgrade(to: next) }
            let plan = lock.withLock { machine.planFetch() }
            if plan.stop { break }
            // Pausing at the transport keeps a Kafka consumer polling (and in its
            // group) while it holds no more than max_in_flight records.
            if plan.pausePartitions { consumer.pause(assignedPartitions()) }
            if plan.resumePartitions { consumer.resume(assignedPartitions()) }
            do {
                // The crash quarantine hands records that crashed the plugin over one at a time.
                let fetched = try consumer.poll(
                    maxBatchSize: settings.batchSize, maxRecords: plan.budget, timeout: .milliseconds(100))
                    .isolating(partitionQuarantine)
                if !fetched.isEmpty {
                    let runsInline = inlineSlot.available && inline.callsAreShort
                    if runsInline { inline.enterScope() }
                    let taken = feed { machine, now, actions in machine.fetched(fetched, now: now, into: &actions) }
                    metrics.recordsIn.increment(by: taken)
                    if runsInline, !runInlineBatches(generation: generation) { return }
                }
            } catch {
                recordError("poll failed: \(error)")
                Thread.sleep(forTimeInterval: 0.1)
            }
            let now = ConditionLock.monotonicNow()
            feed { machine, _, actions in machine.batchTimeoutTick(now: now, into: &actions) }
            fireDueTimers()
            if now - lastCommit >= commitInterval {
                commitFinished()
                lastCommit = now
            }
        }
        consumer.close()
        // Logged before the machine says stopped: stop() returns then, and the
        // process may exit before a later line is written.
        logger.info("agent stopped")
        let abandoned: PluginInstance? = lock.withLock {
            machine.fetcherFinished()
            return abandonRequestedUpgrade()
        }
        abandoned?.destroy()
        lock.broadcast()
    }

    /// The partitions assigned now.
    func assignedPartitions() -> [TopicPartition] {
        lock.withLock { Array(machine.lanes.keys) }
    }

    /// Commits every lane (of `only`, if given) whose finished prefix moved.
    func commitFinished(_ only: Set<TopicPartition>? = nil) {
        let (consumer, offsets) = lock.withLock { (self.consumer, machine.offsetsToCommit(only: only)) }
        guard let consumer, !offsets.isEmpty else { return }
        do {
            try consumer.commit(offsets)
            lock.withLock { machine.committed(offsets) }
            metrics.recordCommit()
            logger.trace("committed", metadata: ["offsets": .string(offsets.map { "\($0.key)@\($0.value)" }.joined(separator: " "))])
        } catch {
            recordError("commit failed: \(error)")
        }
    }
}
