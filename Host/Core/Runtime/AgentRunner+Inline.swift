import Foundation

extension AgentRunner {
    /// Runs the batches the fetcher took for itself during the last event
    /// (and those their completions dispatch), in dispatch order, until none
    /// is left. Returns false when the watchdog moved polling to a newer
    /// fetcher thread meanwhile: the rest went to the worker pool, and the
    /// calling thread must end without touching the consumer.
    func runInlineBatches(generation: UInt64) -> Bool {
        while let delivery = inline.nextQueued() {
            let startsWatchdog: Bool = lock.withLock {
                inlineCall = (generation, ConditionLock.monotonicNow())
                defer { inlineWatchdogScheduled = true }
                return !inlineWatchdogScheduled
            }
            if startsWatchdog { scheduleInlineWatchdog() }
            execute(delivery)
            let current: UInt64 = lock.withLock {
                inlineCall = nil
                return fetcherGeneration
            }
            guard current == generation else {
                inline.leaveScope()
                for rest in inline.takeQueued() { pool.submit { [self] in execute(rest) } }
                logger.notice("the stalled fetcher thread's call returned; it ends")
                return false
            }
        }
        inline.leaveScope()
        return true
    }

    /// Looks at the running inline call every `InlineDispatch.watchInterval`
    /// while inline calls run (the flag is set by the caller).
    private func scheduleInlineWatchdog() {
        scheduler.schedule(after: InlineDispatch.watchInterval) { [weak self] in self?.watchInlineCall() }
    }

    /// The watchdog: when an inline call has run longer than
    /// its `takeoverAfter`, a new fetcher thread takes over the
    /// consumer (polling, timeouts, commits, the stop), the stalled thread
    /// ends once its call returns, and the agent's batches go to the worker
    /// pool from then on. Otherwise it looks again later while a call runs;
    /// the next inline call schedules it again once it stopped.
    private func watchInlineCall() {
        enum Step { case stop, again, takeOver(generation: UInt64, running: Duration, consumer: any RecordConsumer) }
        let now = ConditionLock.monotonicNow()
        let step: Step = lock.withLock {
            guard machine.lifecycle != .stopped, !inline.disabled, let consumer, let call = inlineCall else {
                inlineWatchdogScheduled = false
                return .stop
            }
            guard call.generation == fetcherGeneration, now - call.startedAt > inline.takeoverAfter else {
                return .again
            }
            fetcherGeneration += 1
            inline.disable()
            inlineWatchdogScheduled = false
            return .takeOver(generation: fetcherGeneration, running: now - call.startedAt, consumer: consumer)
        }
        switch step {
        case .stop:
            return
        case .again:
            scheduleInlineWatchdog()
        case .takeOver(let generation, let running, let consumer):
            logger.warning("on_batch has run on the fetcher thread for longer than expected; a new thread polls, and this agent's batches go to the worker pool from now on", metadata: [
                "running_ms": .stringConvertible(running.nanoseconds / 1_000_000),
            ])
            DedicatedThread.start("sluice:\(name)") { [self] in fetchLoop(consumer, generation: generation) }
            consumer.wakeUp()
        }
    }
}

/// What lets a fetcher thread run batches itself: a slot of the crash
/// journal (so a record that crashes the plugin there is quarantined as on a
/// worker) and an alternate signal stack (so a stack overflow in the plugin
/// is reported). Only for agents that may run inline at all: in-process, no
/// tables or timers.
struct InlineSlot {
    /// Whether this thread may run batches.
    let available: Bool
    private let journal: CrashJournal?
    private let slotNumber: Int?
    private let signalStack: UnsafeMutableRawPointer?

    /// Takes what the calling thread (a fetcher) needs, when `runner`'s agent may run inline.
    init(runner: AgentRunner) {
        guard runner.settings.isolation == .inProcess, runner.state == nil, !runner.inline.disabled else {
            (available, journal, slotNumber, signalStack) = (false, nil, nil, nil)
            return
        }
        journal = runner.crashQuarantine?.journal
        if let journal {
            guard let (number, slot) = journal.borrowSpareSlot() else {
                (available, slotNumber, signalStack) = (false, nil, nil)
                return
            }
            slotNumber = number
            CrashJournalSlot.attachToCurrentThread(slot)
        } else {
            slotNumber = nil
        }
        signalStack = FatalSignalReport.prepareThread()
        available = true
    }

    /// Gives back the slot and the stack (the thread is ending).
    func release() {
        guard available else { return }
        if let journal, let slotNumber {
            CrashJournalSlot.attachToCurrentThread(nil)
            journal.returnSpareSlot(slotNumber)
        }
        FatalSignalReport.releaseThread(signalStack)
    }
}
