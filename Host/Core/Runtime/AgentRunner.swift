import CSluicePlugin
import Foundation
import Logging
import Synchronization

/// Runs one agent: one plugin instance, one consumer-group member, one lane
/// per assigned partition.
///
/// A thin shell around ``AgentStateMachine``, which makes every scheduling
/// decision. The shell owns the threads, the lock, the transport and the
/// plugin calls: it feeds events to the machine under `lock` and performs the
/// actions it returns after releasing it (the producer may acknowledge
/// synchronously, and the acknowledgement takes the lock again).
///
/// A dedicated fetcher thread (the agent's *control thread*) polls the
/// consumer, commits finished offsets, and makes the plugin's control calls
/// (open, close, flush); `on_batch` calls run on the shared ``WorkerPool``.
/// The fetch loop is in `AgentRunner+FetchLoop.swift`, rebalancing in
/// `+Rebalance`, the in-place swap in `+HotSwap`, the plugin's calls into the
/// host in `+HostCalls`, dead letters in `+DeadLetters`.
public final class AgentRunner: @unchecked Sendable {
    // @unchecked: `machine`, `instance`, `currentImage`, `consumer` and
    // `upgrade` are guarded by `lock`; the rest is immutable.
    typealias Machine = AgentStateMachine<BatchContextFactory>

    /// Why an agent could not start.
    public struct StartError: Error, CustomStringConvertible {
        /// One line naming the agent and the cause.
        public let description: String
    }

    /// The plugin this agent runs now (a hot reload replaces it).
    public var image: PluginImage { lock.withLock { currentImage } }
    /// The agent's settings (sidecar over host defaults).
    public let settings: AgentSettings
    /// The agent's name.
    public let name: String
    /// The consumer group this agent joins.
    public let group: String
    /// The topics it consumes.
    public let topics: [String]
    /// Where dead-lettered records go.
    public let deadLetterTopic: String

    let pluginMetrics: PluginMetrics
    let metrics: AgentMetrics
    /// Crashes of this agent's runner processes (`isolation: process`) this host replaced.
    let isolatedRunnerCrashes = Atomic<Int>(0)
    let transport: any Transport
    let producer: any RecordProducer
    let pool: WorkerPool
    let scheduler: any JobScheduler
    let logger: Logger
    let commitInterval: Duration
    let drainTimeout: Duration
    /// Batch spans and `traceparent` propagation; nil when tracing is off.
    let tracing: BatchTracing?
    /// Tables and timers; nil for a stateless agent.
    let state: AgentState?
    /// The host's crash journal and history; nil: crashes are not quarantined.
    let crashQuarantine: CrashQuarantine?
    /// What the crash history asks of this agent's partitions at this start.
    let partitionQuarantine: [TopicPartition: PartitionQuarantine]
    /// The agent's name as the crash journal stores it (UTF-8).
    let journalName: [UInt8]

    let lock = ConditionLock()
    var machine: Machine
    var currentImage: PluginImage
    /// The live instance; nil once destroyed.
    var instance: PluginInstance?
    var consumer: (any RecordConsumer)?
    /// When records finished since the start or the last resume (the admin API's `finish_window`).
    let finishWindow = FinishWindowRecorder()
    /// An in-place upgrade handed from an operator's thread to the control thread.
    var upgrade: UpgradeHandoff = .none
    /// Whether the fetcher runs short batches itself, and the batches it took.
    let inline: InlineDispatch
    /// Which fetcher thread polls now: the watchdog starts a new one (and
    /// counts up) when an inline call stalls the current one.
    var fetcherGeneration: UInt64 = 0
    /// The inline call running now on the fetcher of `generation`, since `startedAt`.
    var inlineCall: (generation: UInt64, startedAt: Duration)?
    /// Whether the watchdog of inline calls is scheduled.
    var inlineWatchdogScheduled = false

    /// Creates the plugin instance (validate_config, then create). Nothing is
    /// consumed until `start()`. Retry backoffs run on `scheduler` (by default
    /// the process's shared ``TimerThread``). `name` is the agent's name (its
    /// sidecar's; by default the plugin's own name).
    public init(image: PluginImage, settings: AgentSettings, name: String? = nil, hostGroup: String,
                transport: any Transport, pool: WorkerPool, commitInterval: Duration, drainTimeout: Duration,
                logger: Logger, scheduler: (any JobScheduler)? = nil, tracing: BatchTracing? = nil,
                stateStores: StateStoreProvider? = nil, quarantine: CrashQuarantine? = nil) throws {
        let name = name ?? image.name
        self.name = name
        self.currentImage = image
        self.settings = settings
        self.inline = InlineDispatch(shortCall: settings.inlineBelow)
        self.group = settings.consumerGroup(agent: name, hostGroup: hostGroup)
        self.topics = settings.topics ?? image.topics
        self.deadLetterTopic = settings.deadLetterTopic(agent: name)
        self.transport = transport
        self.producer = transport.producer
        self.pool = pool
        self.scheduler = scheduler ?? TimerThread.shared
        self.commitInterval = commitInterval
        self.drainTimeout = drainTimeout
        self.tracing = tracing
        var logger = logger
        logger[metadataKey: "agent"] = .string(name)
        logger[metadataKey: "plugin"] = .string(image.name)
        self.logger = logger
        self.pluginMetrics = PluginMetrics(agent: name)
        self.metrics = AgentMetrics(agent: name, plugin: image.name)
        self.machine = Machine(factory: BatchContextFactory(), limits: .init(settings, stateful: image.isStateful))
        self.crashQuarantine = quarantine
        self.journalName = Array(name.utf8)
        let partitionQuarantine = quarantine?.quarantine(of: name) ?? [:]
        self.partitionQuarantine = partitionQuarantine
        machine.crashDeadLetters = partitionQuarantine.compactMapValues { $0.deadLetters.isEmpty ? nil : $0.deadLetters }
        if let crashes = quarantine?.crashesAtStart(of: name), crashes > 0 { metrics.pluginCrashes.increment(by: crashes) }

        guard !topics.isEmpty else {
            throw StartError(description: "agent '\(name)' has no topics: the plugin declares none and its sidecar sets none")
        }
        if image.isStateful {
            guard topics.count == 1 else {
                throw StartError(description: "agent '\(name)' keeps state (tables or timers), so it consumes exactly one topic; it is given \(topics.count): \(topics.joined(separator: ", "))")
            }
            guard let stateStores else {
                throw StartError(description: "agent '\(name)' keeps state (tables or timers), and this host was started without a state store")
            }
            do {
                state = AgentState(store: try stateStores.store(forAgent: name), tables: image.tables,
                                   handlesTimers: image.handlesTimers, group: group, agent: name)
            } catch {
                throw StartError(description: "agent '\(name)': \(error)")
            }
        } else {
            state = nil
        }
        instance = try PluginInstance(image: image, agent: name, configurationJSON: settings.config.jsonText,
                                      host: HostServicesTable.handle(for: self))
    }

    /// Joins the group and starts the fetcher thread.
    public func start() throws {
        try transport.ensureTopic(deadLetterTopic)
        if let state {
            try transport.ensureTopic(topics[0])
            let partitions = try transport.partitionCount(of: topics[0]) ?? 1
            for topic in state.changelogs.values { try transport.ensureChangelogTopic(topic, partitions: partitions) }
        }
        let consumer = try transport.makeConsumer(group: group, topics: topics, listener: self)
        lock.withLock { self.consumer = consumer }
        finishWindow.reset()
        DedicatedThread.start("sluice:\(name)") { [self] in fetchLoop(consumer, generation: 0) }
        logger.info("agent started", metadata: [
            "plugin.version": .string(image.version), "group": .string(group),
            "topics": .string(topics.joined(separator: ",")),
            "settings": .string(settings.redactedDescription(configSchema: image.configSchema)),
        ])
    }

    /// Stops fetching, lets in-flight work finish (bounded by the drain
    /// timeout), flushes the plugin, commits the finished prefix, closes the
    /// partitions and destroys the instance. Blocks until done: call it from a
    /// thread the caller owns, never from Swift's cooperative pool.
    public func stop() {
        let consumer: (any RecordConsumer)? = lock.withLock {
            machine.stopRequested()
            return self.consumer
        }
        consumer?.wakeUp()
        lock.withLock { _ = lock.wait(timeout: .seconds(3600)) { machine.lifecycle == .stopped || self.consumer == nil } }
        releaseInstance()
    }

    /// A snapshot for operators and tests.
    public var status: AgentStatus {
        var status = lock.withLock { machine.status(name: name, plugin: currentImage.name, version: currentImage.version, sha256: currentImage.sha256) }
        status.config = settings.config.redacted(secretKeys: image.secretConfigKeys)
        status.pluginCrashes = (crashQuarantine?.crashCount(of: name) ?? 0)
            + isolatedRunnerCrashes.load(ordering: .relaxed)
        status.isolation = settings.isolation
        status.finishWindow = finishWindow.snapshot
        if let state {
            status.tables = state.tables
            status.restores = state.restoreProgress
        }
        return status
    }

    /// Commits what is finished now (normally done by the fetcher on its interval).
    public func commitNow() {
        commitFinished()
    }

    /// Stops fetching and dispatching; in-flight work finishes. Shown as paused.
    public func pause() {
        let (consumer, partitions) = lock.withLock {
            machine.operatorPause()
            return (self.consumer, Array(machine.lanes.keys))
        }
        consumer?.pause(partitions)
    }

    /// Undoes `pause`, and releases partitions the pause policy held (their
    /// held records are tried again).
    public func resume() {
        var actions: [Machine.Action] = []
        let (consumer, partitions, resumeConsumer) = lock.withLock {
            let resumeConsumer = machine.operatorResume(now: ConditionLock.monotonicNow(), into: &actions)
            return (self.consumer, Array(machine.lanes.keys), resumeConsumer)
        }
        finishWindow.reset()
        if resumeConsumer { consumer?.resume(partitions) }
        consumer?.wakeUp()
        perform(actions)
    }

    // MARK: - Events in, actions out

    /// Feeds one event to the machine under the lock, then performs its actions
    /// outside it and wakes every waiter (drains, stops, swaps).
    @discardableResult
    func feed<T>(_ event: (inout Machine, Duration, inout [Machine.Action]) -> T) -> T {
        var actions: [Machine.Action] = []
        let result = lock.withLock {
            let result = event(&machine, ConditionLock.monotonicNow(), &actions)
            if state != nil {
                // A settled delivery's writes are decided before the lock is let
                // go, so a seal the next event asks for always finds them.
                actions.removeAll { action in
                    guard case .stateSettled(let delivery, let lane, let keep) = action else { return false }
                    stateSettled(delivery, lane: lane, keep: keep,
                                 covered: machine.isDone(through: delivery.ticket, on: lane))
                    return true
                }
                actions += machine.takeRequestedSeals()
            }
            return result
        }
        perform(actions)
        lock.broadcast()
        return result
    }

    /// Performs the machine's actions, in order. Never called with the lock held.
    func perform(_ actions: [Machine.Action]) {
        for action in actions {
            switch action {
            case .dispatch(let delivery):
                // The fetcher runs it itself when its calls are short (InlineDispatch).
                if inline.take(delivery) { continue }
                pool.submit { [self] in execute(delivery) }
            case .deadLetter(let order):
                sendToDeadLetterTopic(order)
            case .scheduleRetry(let lane, let retry, let backoffAttempt):
                logger.debug("retrying", metadata: [
                    "topic": .string(lane.partition.topic), "partition": .stringConvertible(lane.partition.partition),
                    "offset": .stringConvertible(retry.offset(at: 0)), "attempt": .stringConvertible(retry.attempt),
                    "records": .stringConvertible(retry.count),
                ])
                let delay = settings.retry.backoff(forAttempt: backoffAttempt, random: Double.random(in: 0..<1))
                scheduler.schedule(after: delay) { [self] in
                    feed { machine, now, actions in machine.retryDue(retry, lane: lane, now: now, into: &actions) }
                }
            case .finished(let progress):
                metrics.batchDuration.recordNanoseconds(progress.duration.nanoseconds)
                metrics.recordsProcessed.increment(by: progress.processed)
                finishWindow.finished(progress.processed)
                if progress.retried > 0 { metrics.retried.increment(by: progress.retried) }
                metrics.inFlight.record(progress.inFlight)
            case .timedOut(let delivery, let partition):
                delivery.span?.end(failure: "batch timed out")
                logger.error("batch timed out; redelivering", metadata: [
                    "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                    "offset": .stringConvertible(delivery.offset(at: 0)),
                ])
            case .heldPartition(let partition):
                logger.error("retries exhausted; partition paused (on_exhausted: pause)", metadata: [
                    "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                ])
            case .replaceBlockedWorker:
                pool.replaceBlockedWorker()
            case .fail(let reason):
                logger.error("agent failed; it stops, the other agents keep running", metadata: ["reason": .string(reason)])
            case .wakeFetcher:
                lock.withLock { consumer }?.wakeUp()
            case .stateSettled:
                break  // taken under the lock, in `feed`
            case .seal(let lane, _):
                // The seal's extent is taken again when it starts (it may have grown meanwhile).
                sealState(lane)
            }
        }
    }

    /// Worker thread: one on_batch call, and what its answer means.
    func execute(_ delivery: BatchContext) {
        guard let instance = lock.withLock({ instance }) else { return }
        if let tracing { delivery.span = tracing.startSpan(for: delivery, agent: name, group: group) }
        let openState = state == nil ? nil : openForState(delivery)
        // The plugin's state calls on this thread find their delivery without a lock.
        if let openState { CurrentStateDelivery.enter(openState) }
        defer { if openState != nil { CurrentStateDelivery.leave() } }
        // The crash journal notes the call for the next start, should the plugin crash the process.
        let slot = CrashJournalSlot.current
        if let slot {
            let handle = delivery.handle
            journalName.withUnsafeBytes { agent in
                slot.begin(agent: agent, topic: handle.topicCString, topicLength: handle.topicLength,
                           partition: handle.partition.partition, first: delivery.offset(at: 0),
                           last: delivery.offset(at: max(0, delivery.count - 1)), records: delivery.count)
            }
        }
        let status: Int32
        if delivery.isTimerDelivery {
            status = executeTimers(delivery, on: openState, instance: instance)
        } else {
            let started = ConditionLock.monotonicNow()
            status = instance.onBatch(delivery.batch)
            inline.record(callDuration: ConditionLock.monotonicNow() - started)
        }
        slot?.end()
        if tracing != nil, status != Int32(SLUICE_BATCH_PENDING.rawValue) {
            delivery.span?.end(failure: status == Int32(SLUICE_BATCH_DONE.rawValue) ? nil : "on_batch returned \(status)")
        }
        let answer: BatchReturn = switch status {
        case Int32(SLUICE_BATCH_PENDING.rawValue): .pending
        case Int32(SLUICE_BATCH_DONE.rawValue): .done(delivery.writtenResults)
        case Int32(SLUICE_BATCH_FATAL.rawValue): .fatal
        default: .invalid(status)
        }
        feed { machine, now, actions in machine.returned(delivery.id, answer, now: now, into: &actions) }
    }

    // MARK: - Failure and errors

    /// Stops this agent for good (FATAL, failed open): the others keep running.
    func fail(_ reason: String) {
        feed { machine, _, actions in machine.fail(reason, into: &actions) }
    }

    /// Remembers `message` as the last error (shown to operators) and logs it.
    func recordError(_ message: String) {
        lock.withLock { machine.lastError = message }
        logger.error("\(message)")
    }

    /// With the lock: waits until `condition` holds or `timeout` passes.
    func waitUntil(timeout: Duration, _ condition: (Machine) -> Bool) -> Bool {
        lock.withLock { lock.wait(timeout: timeout) { condition(machine) } }
    }

    /// Destroys the instance, unless a plugin that never completed a PENDING
    /// batch could still call complete() later: then it is leaked instead of
    /// handing the plugin freed state.
    private func releaseInstance() {
        let (instance, outstanding): (PluginInstance?, Int) = lock.withLock {
            let instance = self.instance
            self.instance = nil
            return (instance, machine.instanceReleased())
        }
        guard let instance else { return }
        if outstanding > 0 {
            logger.warning("not destroying the instance: batches are still pending", metadata: ["batches": .stringConvertible(outstanding)])
            return
        }
        instance.destroy()
    }
}

extension Duration {
    /// Whole nanoseconds, for swift-metrics timers.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
