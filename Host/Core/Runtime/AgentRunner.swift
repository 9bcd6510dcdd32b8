import CSluicePlugin
import Foundation
import Logging

/// Runs one agent: one plugin instance, one consumer-group member, one lane
/// per assigned partition.
///
/// A dedicated fetcher thread (the agent's *control thread*) polls the
/// consumer, queues batches on their partition's lane, commits finished
/// offsets, and makes the plugin's control calls (open, close, flush).
/// Batches run on the shared `WorkerPool`, one at a time per lane. Everything
/// mutable is guarded by `lock`; calls into the plugin and into the producer
/// are made without it (the producer may acknowledge synchronously, and the
/// acknowledgement takes the lock).
public final class AgentRunner: ConsumerListener, @unchecked Sendable {
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
    private let metrics: AgentMetrics
    private let transport: any Transport
    private let producer: any RecordProducer
    private let pool: WorkerPool
    private let logger: Logger
    private let commitInterval: Duration
    private let drainTimeout: Duration
    private var currentImage: PluginImage
    /// The live instance; nil once destroyed. Guarded by `lock`.
    private var plugin: PluginInstance?
    /// An upgrade waiting for the control thread, and its outcome.
    private var pendingUpgrade: PluginInstance?
    private var upgradeOutcome: Result<Duration, AgentRunner.StartError>?
    /// The queue waits while the instance is being swapped.
    private var swapping = false
    /// Paused by an operator: nothing is fetched or dispatched.
    private var operatorPaused = false

    let lock = ConditionLock()
    private var lanes: [TopicPartition: PartitionLane] = [:]
    private var batches: [UInt64: BatchContext] = [:]
    /// Deliveries that timed out while PENDING: kept alive (the plugin may
    /// still read them) until their late complete() arrives.
    private var timedOut: [UInt64: BatchContext] = [:]
    private var inFlight = 0
    private var backpressurePaused = false
    private var stopRequested = false
    private var fetcherFinished = false
    private var consumer: (any RecordConsumer)?
    private var state: AgentStatus.State = .running
    private var processed = 0
    private var deadLettered = 0
    private var retried = 0
    private var lastError: String?

    /// Creates the plugin instance (validate_config, then create). Nothing is
    /// consumed until `start()`.
    public init(image: PluginImage, settings: AgentSettings, hostGroup: String, transport: any Transport,
                pool: WorkerPool, commitInterval: Duration, drainTimeout: Duration, logger: Logger) throws {
        self.name = image.name
        self.currentImage = image
        self.settings = settings
        self.group = settings.consumerGroup(agent: image.name, hostGroup: hostGroup)
        self.topics = settings.topics ?? image.topics
        self.deadLetterTopic = settings.deadLetterTopic(agent: image.name)
        self.transport = transport
        self.producer = transport.producer
        self.pool = pool
        self.commitInterval = commitInterval
        self.drainTimeout = drainTimeout
        var logger = logger
        logger[metadataKey: "agent"] = .string(image.name)
        self.logger = logger
        self.pluginMetrics = PluginMetrics(agent: image.name)
        self.metrics = AgentMetrics(agent: image.name)

        guard !topics.isEmpty else {
            throw StartError(description: "agent '\(image.name)' has no topics: the plugin declares none and its sidecar sets none")
        }
        plugin = try PluginInstance(image: image, configurationJSON: settings.config.jsonText,
                                    host: HostServicesTable.handle(for: self))
    }

    /// Joins the group and starts the fetcher thread.
    public func start() throws {
        try transport.ensureTopic(deadLetterTopic)
        let consumer = try transport.makeConsumer(group: group, topics: topics, listener: self)
        lock.withLock { self.consumer = consumer }
        let thread = Thread { [self] in fetchLoop(consumer) }
        thread.name = "sluice-agent-\(name)"
        thread.start()
        logger.info("agent started", metadata: [
            "plugin.version": .string(currentImage.version), "group": .string(group),
            "topics": .string(topics.joined(separator: ",")),
        ])
    }

    /// Stops fetching, lets in-flight work finish (bounded by the drain
    /// timeout), flushes the plugin, commits the finished prefix, closes the
    /// partitions and destroys the instance. Blocks until done.
    public func stop() {
        let consumer: (any RecordConsumer)? = lock.withLock {
            stopRequested = true
            return self.consumer
        }
        consumer?.wakeUp()
        lock.withLock { _ = lock.wait(timeout: .seconds(3600)) { fetcherFinished || self.consumer == nil } }
        destroyInstance()
    }

    /// A snapshot for operators and tests.
    public var status: AgentStatus {
        lock.withLock {
            AgentStatus(
                name: name, version: currentImage.version, sha256: currentImage.sha256, state: state,
                partitions: lanes.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) },
                inFlight: inFlight, processed: processed, deadLettered: deadLettered, retried: retried,
                lastError: lastError)
        }
    }

    /// Commits what is finished now (normally done by the fetcher on its interval).
    public func commitNow() {
        commitFinished()
    }

    // MARK: - Fetcher (control thread)

    private func fetchLoop(_ consumer: any RecordConsumer) {
        var lastCommit = ConditionLock.monotonicNow()
        let lowWatermark = settings.maxInFlight / 2
        while true {
            if let upgrade = lock.withLock({ pendingUpgrade }) { performUpgrade(to: upgrade) }
            let (stop, budget, resume, pause): (Bool, Int, Bool, Bool) = lock.withLock {
                let budget = operatorPaused ? 0 : settings.maxInFlight - inFlight
                var resume = false, pause = false
                if budget <= 0, !backpressurePaused { backpressurePaused = true; pause = true }
                else if backpressurePaused, inFlight <= lowWatermark { backpressurePaused = false; resume = true }
                return (stopRequested, budget, resume, pause)
            }
            if stop { break }
            // Pausing at the transport keeps a Kafka consumer polling (and in its
            // group) while it holds no more than max_in_flight records.
            if pause { consumer.pause(assignedPartitions()) }
            if resume { consumer.resume(assignedPartitions()) }
            do {
                let fetched = try consumer.poll(
                    maxBatchSize: settings.batchSize, maxRecords: max(0, budget), timeout: .milliseconds(100))
                if !fetched.isEmpty { accept(fetched) }
            } catch {
                recordError("poll failed: \(error)")
                Thread.sleep(forTimeInterval: 0.1)
            }
            let now = ConditionLock.monotonicNow()
            enforceBatchTimeout(now: now)
            if now - lastCommit >= commitInterval {
                commitFinished()
                lastCommit = now
            }
        }
        // Shutdown: close() revokes everything, which drains, flushes and commits.
        consumer.close()
        // Logged before `fetcherFinished` is set: stop() returns then, and the
        // process may exit before a later line is written.
        logger.info("agent stopped")
        lock.withLock {
            if let upgrade = pendingUpgrade {
                pendingUpgrade = nil
                upgradeOutcome = .failure(StartError(description: "agent '\(name)' stopped before the upgrade"))
                upgrade.destroy()
            }
            fetcherFinished = true
            if case .running = state { state = .stopped }
            if case .paused = state { state = .stopped }
        }
        lock.broadcast()
    }

    private func accept(_ fetched: [FetchedBatch]) {
        var touched: [PartitionLane] = []
        var records = 0
        lock.withLock {
            for batch in fetched {
                guard let lane = lanes[batch.source], !lane.revoking else { continue }
                lane.enqueue(batch)
                inFlight += batch.count
                records += batch.count
                touched.append(lane)
            }
        }
        metrics.recordsIn.increment(by: records)
        for lane in touched { pump(lane) }
    }

    private func assignedPartitions() -> [TopicPartition] {
        lock.withLock { Array(lanes.keys) }
    }

    /// Commits every lane whose finished prefix moved.
    private func commitFinished(_ only: Set<TopicPartition>? = nil) {
        let (consumer, offsets): ((any RecordConsumer)?, [TopicPartition: Int64]) = lock.withLock {
            var offsets: [TopicPartition: Int64] = [:]
            for (partition, lane) in lanes where only?.contains(partition) ?? true {
                if lane.ledger.committable > lane.committed {
                    offsets[partition] = lane.ledger.committable
                }
            }
            return (self.consumer, offsets)
        }
        guard let consumer, !offsets.isEmpty else { return }
        do {
            try consumer.commit(offsets)
            lock.withLock {
                for (partition, offset) in offsets { lanes[partition]?.committed = offset }
            }
            logger.trace("committed", metadata: ["offsets": .string(offsets.map { "\($0.key)@\($0.value)" }.joined(separator: " "))])
        } catch {
            recordError("commit failed: \(error)")
        }
    }

    // MARK: - ConsumerListener (control thread)

    public func assigned(_ partitions: [TopicPartition], startOffsets: [TopicPartition: Int64]) {
        for partition in partitions {
            let lane = PartitionLane(partition: partition, startOffset: startOffsets[partition] ?? 0)
            if let plugin = lock.withLock({ plugin }) {
                let status = plugin.open(lane)
                guard status == SLUICE_STATUS_OK else {
                    fail("open(\(partition)) failed with status \(status)")
                    return
                }
            }
            lock.withLock { lanes[partition] = lane }
            logger.debug("partition assigned", metadata: [
                "topic": .string(partition.topic), "partition": .stringConvertible(partition.partition),
                "offset": .stringConvertible(lane.ledger.committable),
            ])
        }
    }

    public func revoked(_ partitions: [TopicPartition]) {
        let revoking = Set(partitions)
        // 1. Stop feeding them; what was fetched but not dispatched is dropped
        //    (it will be fetched again from the committed offset).
        lock.withLock {
            for partition in partitions {
                guard let lane = lanes[partition] else { continue }
                lane.revoking = true
                inFlight -= lane.dropQueue()
            }
        }
        // 2. Let in-flight work finish, within the drain deadline. A full
        //    revoke (shutdown) flushes the plugin once no call is running, so
        //    buffered and PENDING work is pushed out.
        let everything = lock.withLock { Set(lanes.keys) == revoking }
        if everything {
            _ = waitUntil(timeout: drainTimeout) {
                revoking.allSatisfy { guard let lane = self.lanes[$0] else { return true }; return !lane.running || lane.failed }
            }
            if let plugin = lock.withLock({ plugin }), !isFailed, let status = plugin.flush(), status != SLUICE_STATUS_OK {
                recordError("flush() returned \(status)")
            }
        }
        let drained = waitUntil(timeout: drainTimeout) {
            revoking.allSatisfy { self.lanes[$0]?.isDrained ?? true }
        }
        if !drained {
            logger.warning("drain deadline passed; committing only the finished prefix", metadata: [
                "partitions": .string(partitions.map(\.description).joined(separator: ",")),
            ])
        }
        // 3. Commit what is finished, then close.
        commitFinished(revoking)
        let closing: [PartitionLane] = lock.withLock {
            let closing = partitions.compactMap { lanes.removeValue(forKey: $0) }
            for lane in closing {
                lane.closed = true
                lane.readyRetries.removeAll()
                inFlight -= lane.ledger.reset(to: lane.ledger.committable)
            }
            return closing
        }
        if let plugin = lock.withLock({ plugin }) {
            // A lane whose call never returned keeps its state: close() must not
            // race a call that is still inside the plugin.
            for lane in closing where !lane.running { plugin.close(lane) }
        }
        lock.broadcast()
    }

    private var isFailed: Bool {
        lock.withLock { if case .failed = state { return true } else { return false } }
    }

    /// With the lock: waits until `condition` holds or `timeout` passes.
    private func waitUntil(timeout: Duration, _ condition: () -> Bool) -> Bool {
        lock.withLock { lock.wait(timeout: timeout, until: condition) }
    }

    private func destroyInstance() {
        let (plugin, outstanding): (PluginInstance?, Int) = lock.withLock {
            let plugin = self.plugin
            self.plugin = nil
            return (plugin, batches.count + timedOut.count)
        }
        guard let plugin else { return }
        if outstanding > 0 {
            // A plugin that never completed a PENDING batch could still call
            // complete() later; destroying would hand it freed state. Leak instead.
            logger.warning("not destroying the instance: batches are still pending", metadata: ["batches": .stringConvertible(outstanding)])
            return
        }
        plugin.destroy()
    }

    // MARK: - Operator control (any thread)

    /// Replaces the running plugin with `image` in place: the new instance is
    /// created first (a failure leaves the old one running and throws); then,
    /// on the control thread, dispatch stops, in-flight work drains, the old
    /// instance is flushed, committed, closed and destroyed, and the new one
    /// opens every partition. The consumer keeps its assignment, so there is
    /// no rebalance. Returns how long dispatch was paused.
    public func upgrade(to image: PluginImage) throws -> Duration {
        let next = try PluginInstance(image: image, configurationJSON: settings.config.jsonText,
                                      host: HostServicesTable.handle(for: self))
        let consumer: (any RecordConsumer)? = lock.withLock {
            guard !stopRequested, self.consumer != nil else { return nil }
            pendingUpgrade = next
            upgradeOutcome = nil
            return self.consumer
        }
        guard let consumer else {
            next.destroy()
            throw StartError(description: "agent '\(name)' is not running; it cannot be upgraded")
        }
        consumer.wakeUp()
        let outcome: Result<Duration, StartError>? = lock.withLock {
            _ = lock.wait(timeout: drainTimeout + .seconds(30)) { upgradeOutcome != nil }
            defer { upgradeOutcome = nil }
            return upgradeOutcome
        }
        guard let outcome else { throw StartError(description: "agent '\(name)': the upgrade did not finish in time") }
        return try outcome.get()
    }

    /// Stops fetching and dispatching; in-flight work finishes. Shown as paused.
    public func pause() {
        let consumer: (any RecordConsumer)? = lock.withLock {
            operatorPaused = true
            if case .running = state { state = .paused("paused by an operator") }
            return self.consumer
        }
        consumer?.pause(assignedPartitions())
    }

    /// Undoes `pause`, and releases partitions the pause policy held (their
    /// held records are tried again).
    public func resume() {
        let (consumer, lanes): ((any RecordConsumer)?, [PartitionLane]) = lock.withLock {
            operatorPaused = false
            for lane in self.lanes.values where lane.pausedReason != nil {
                lane.pausedReason = nil
                if let parked = lane.parkedRetry {
                    // Tried once more; if it fails again the policy holds it again.
                    lane.parkedRetry = nil
                    lane.readyRetries.append(parked)
                    retried += parked.count
                }
            }
            if case .paused = state { state = .running }
            return (self.consumer, Array(self.lanes.values))
        }
        if !lock.withLock({ backpressurePaused }) { consumer?.resume(lanes.map(\.partition)) }
        consumer?.wakeUp()
        for lane in lanes { pump(lane) }
    }

    /// Control thread: the swap itself.
    private func performUpgrade(to next: PluginInstance) {
        let started = ConditionLock.monotonicNow()
        let (old, lanes): (PluginInstance?, [PartitionLane]) = lock.withLock {
            pendingUpgrade = nil
            swapping = true
            return (plugin, Array(self.lanes.values))
        }
        _ = waitUntil(timeout: drainTimeout) { lanes.allSatisfy { !$0.running } }
        if let old, let status = old.flush(), status != SLUICE_STATUS_OK { recordError("flush() returned \(status)") }
        let drained = waitUntil(timeout: drainTimeout) { lanes.allSatisfy(\.isDrained) }
        commitFinished()
        if let old {
            for lane in lanes { old.close(lane) }
            if drained { old.destroy() } else {
                logger.warning("upgrade: the old instance still had work after the drain deadline; it is not destroyed")
            }
        }
        lock.withLock {
            plugin = next
            currentImage = next.image
        }
        for lane in lanes where next.open(lane) != SLUICE_STATUS_OK {
            fail("open(\(lane.partition)) failed on the new version \(next.image.version)")
        }
        let paused = ConditionLock.monotonicNow() - started
        lock.withLock {
            swapping = false
            upgradeOutcome = .success(paused)
        }
        lock.broadcast()
        logger.notice("plugin upgraded in place", metadata: [
            "plugin.version": .string(next.image.version), "plugin.sha256": .string(next.image.sha256),
            "pause_ms": .stringConvertible(paused.nanoseconds / 1_000_000),
        ])
        for lane in lanes { pump(lane) }
    }

    // MARK: - Batch timeout (control thread)

    /// A PENDING delivery older than `batch_timeout` is redelivered (RETRY,
    /// then the agent's policy); its late complete() is ignored. An on_batch
    /// call older than that never returned: C code cannot be interrupted, so
    /// the agent is stopped (its worker thread stays blocked in the plugin)
    /// and the other agents go on.
    private func enforceBatchTimeout(now: Duration) {
        let limit = settings.batchTimeout
        let (expired, stuck): ([BatchContext], [BatchContext]) = lock.withLock {
            var expired: [BatchContext] = []
            var stuck: [BatchContext] = []
            for context in batches.values where now - context.startedAt > limit {
                switch context.phase {
                case .pending:
                    context.phase = .finished
                    context.lane.pendingBatches -= 1
                    context.redeliveryReason = "the plugin did not complete the batch within batch_timeout (\(limit))"
                    timedOut[context.id] = context
                    expired.append(context)
                case .inCall:
                    if !context.lane.failed {
                        context.lane.failed = true
                        stuck.append(context)
                    }
                case .finished:
                    break
                }
            }
            return (expired, stuck)
        }
        for context in expired {
            logger.error("batch timed out; redelivering", metadata: [
                "topic": .string(context.lane.partition.topic), "partition": .stringConvertible(context.lane.partition.partition),
                "offset": .stringConvertible(context.messages[0].offset),
            ])
            finish(context, status: Int32(SLUICE_BATCH_DONE.rawValue))
            pump(context.lane)
        }
        // Each of those threads is lost to the plugin: replacements keep the pool's size for the other agents.
        stuck.forEach { _ in pool.replaceBlockedWorker() }
        if let stuck = stuck.first {
            fail("on_batch for \(stuck.lane.partition) at offset \(stuck.messages[0].offset) has not returned within "
                 + "batch_timeout (\(limit)); the agent is stopped and one worker thread stays blocked in the plugin "
                 + "(a new worker thread replaces it)")
        }
    }

    // MARK: - Failure and errors

    /// Stops this agent for good (FATAL, failed open): the others keep running.
    func fail(_ reason: String) {
        let consumer: (any RecordConsumer)? = lock.withLock {
            if case .failed = state { return nil }
            state = .failed(reason)
            lastError = reason
            stopRequested = true
            return self.consumer
        }
        logger.error("agent failed; it stops, the other agents keep running", metadata: ["reason": .string(reason)])
        consumer?.wakeUp()
        lock.broadcast()
    }

    func recordError(_ message: String) {
        lock.withLock { lastError = message }
        logger.error("\(message)")
    }

    // MARK: - Dispatch

    /// Starts the lane's next delivery if it may run now.
    func pump(_ lane: PartitionLane) {
        let next: BatchContext? = lock.withLock {
            guard !lane.running, !lane.failed, !lane.closed, lane.pausedReason == nil, plugin != nil else { return nil }
            var context: BatchContext?
            if !lane.readyRetries.isEmpty {
                // Retries are in-flight work: they run even while paused, swapping or stopping.
                context = lane.readyRetries.removeFirst()
            } else if lane.retryBlocks == 0, !lane.revoking, !swapping, !stopRequested, !operatorPaused,
                      let fetched = lane.dequeue() {
                let ticket = lane.ledger.track(lastOffset: fetched.lastOffset, records: fetched.count)
                context = BatchContext(lane: lane, fetched: fetched, ticket: ticket)
            }
            guard let context else { return nil }
            lane.running = true
            batches[context.id] = context
            return context
        }
        guard let next else { return }
        pool.submit { [self] in execute(next) }
    }

    /// Worker thread: one on_batch call and what follows from its status.
    private func execute(_ context: BatchContext) {
        guard let plugin = lock.withLock({ plugin }) else { return }
        let status = plugin.onBatch(context.batch)
        // A finished batch keeps its lane running until `finish` has taken
        // its results under the same lock as it releases the lane: otherwise a
        // fetch could start the next batch before a retry or a pause blocks it.
        let finishStatus: Int32? = lock.withLock {
            switch status {
            case Int32(SLUICE_BATCH_PENDING.rawValue):
                if let early = context.earlyCompletion {
                    context.phase = .finished
                    return early
                }
                context.phase = .pending
                context.lane.pendingBatches += 1
                context.lane.running = false
                return nil
            case Int32(SLUICE_BATCH_DONE.rawValue), Int32(SLUICE_BATCH_FATAL.rawValue):
                context.phase = .finished
                return status
            default:
                context.phase = .finished
                context.batchReason = "on_batch returned \(status), which is not a sluice_batch_status"
                return Int32(SLUICE_BATCH_FATAL.rawValue)
            }
        }
        if let finishStatus { finish(context, status: finishStatus, releasingLane: true) }
        pump(context.lane)
        lock.broadcast()
    }

    /// Takes a finished delivery's results: ledger, dead letters, retries.
    /// `releasingLane`: the delivery still holds its lane (it finished inside
    /// its on_batch call); the lane is released with the results.
    private func finish(_ context: BatchContext, status: Int32, releasingLane: Bool = false) {
        metrics.batchDuration.recordNanoseconds((ConditionLock.monotonicNow() - context.startedAt).nanoseconds)
        if status == Int32(SLUICE_BATCH_FATAL.rawValue) {
            let reason = lock.withLock {
                if releasingLane { context.lane.running = false }
                batches[context.id] = nil
                context.lane.failed = true
                return context.batchReason ?? "on_batch returned FATAL without a reason"
            }
            fail("FATAL from \(context.lane.partition) at offset \(context.messages[0].offset): \(reason)")
            return
        }

        var finished = 0
        var deadLetters: [(index: Int, reason: String)] = []
        var retries: [Int] = []
        let redeliveryReason: String? = lock.withLock {
            if let reason = context.redeliveryReason { context.batchReason = reason }
            return context.redeliveryReason
        }
        if redeliveryReason != nil {
            // A produced record was not stored, or the delivery timed out: send all of it round again.
            retries = Array(0..<context.count)
        } else {
            for index in 0..<context.count {
                switch Int32(context.results[index]) {
                case Int32(SLUICE_RESULT_OK.rawValue), Int32(SLUICE_RESULT_SKIP.rawValue):
                    finished += 1
                case Int32(SLUICE_RESULT_RETRY.rawValue):
                    retries.append(index)
                case Int32(SLUICE_RESULT_DLQ.rawValue):
                    deadLetters.append((index, ""))
                default:
                    deadLetters.append((index, "plugin wrote result \(context.results[index]), which is not a sluice_result"))
                }
            }
        }

        let maxAttempts = UInt32(max(1, settings.retry.maxAttempts))
        let attempt = context.attempt
        let (retry, exhaustedPolicy, wake, inFlightNow): (BatchContext?, FailurePolicy?, Bool, Int) = lock.withLock {
            batches[context.id] = nil
            let lane = context.lane
            if releasingLane { lane.running = false }
            for position in deadLetters.indices where deadLetters[position].reason.isEmpty {
                deadLetters[position].reason = context.reason(
                    for: deadLetters[position].index, default: "the plugin dead-lettered the record without a reason")
            }
            processed += finished
            inFlight -= lane.ledger.finish(finished, of: context.ticket)
            var retry: BatchContext?
            var exhaustedPolicy: FailurePolicy?
            let holdsBlock = attempt > 1
            if retries.isEmpty {
                if holdsBlock { lane.retryBlocks -= 1 }
            } else if attempt < maxAttempts {
                if !holdsBlock { lane.retryBlocks += 1 }
                retry = BatchContext(retrying: context, indices: retries)
                retried += retries.count
            } else {
                exhaustedPolicy = settings.onExhausted
                switch settings.onExhausted {
                case .deadLetter:
                    for index in retries {
                        deadLetters.append((index, "gave up after \(attempt) attempts: "
                            + context.reason(for: index, default: "the plugin asked for a retry without a reason")))
                    }
                    if holdsBlock { lane.retryBlocks -= 1 }
                case .pause:
                    if !holdsBlock { lane.retryBlocks += 1 }
                    lane.parkedRetry = BatchContext(retrying: context, indices: retries)
                    let reason = "\(lane.partition) paused at offset \(context.messages[retries[0]].offset) after \(attempt) attempts: "
                        + context.reason(for: retries[0], default: "retries exhausted")
                    lane.pausedReason = reason
                    state = .paused(reason)
                    lastError = reason
                }
            }
            deadLettered += deadLetters.count
            let wake = backpressurePaused && inFlight <= settings.maxInFlight / 2
            return (retry, exhaustedPolicy, wake, inFlight)
        }
        metrics.recordsProcessed.increment(by: finished)
        if exhaustedPolicy == .pause {
            logger.error("retries exhausted; partition paused (on_exhausted: pause)", metadata: [
                "topic": .string(context.lane.partition.topic),
                "partition": .stringConvertible(context.lane.partition.partition),
            ])
        }
        for (index, reason) in deadLetters {
            sendToDeadLetterTopic(context, index: index, reason: reason)
        }
        if let retry {
            metrics.retried.increment(by: retry.count)
            let delay = settings.retry.backoff(forAttempt: Int(attempt), random: Double.random(in: 0..<1))
            logger.debug("retrying", metadata: [
                "topic": .string(context.lane.partition.topic), "partition": .stringConvertible(context.lane.partition.partition),
                "offset": .stringConvertible(retry.messages[0].offset), "attempt": .stringConvertible(retry.attempt),
                "records": .stringConvertible(retry.count),
            ])
            DispatchQueue.global().asyncAfter(deadline: .now() + delay.timeInterval) { [self] in
                lock.withLock { retry.lane.readyRetries.append(retry) }
                pump(retry.lane)
                lock.broadcast()
            }
        }
        if wake { lock.withLock { consumer }?.wakeUp() }
        metrics.inFlight.record(inFlightNow)
    }

    /// Produces message `index` of `context` to the dead-letter topic; its
    /// ledger unit is finished when the broker acknowledges it. A failed
    /// dead-letter produce is tried again with backoff: never dropped. One
    /// refused as too large is sent again at once without its value (a header
    /// says so), because unchanged it could never succeed and would hold the
    /// partition forever.
    private func sendToDeadLetterTopic(_ context: BatchContext, index: Int, reason: String, attempt: Int = 1,
                                       omitValue: Bool = false) {
        let message = context.messages[index]
        let whole = DeadLetterRecord.make(
            message: message, source: context.lane.partition, topic: deadLetterTopic, reason: reason,
            agent: name, pluginVersion: lock.withLock { currentImage.version }, attempts: context.attempt)
        let record = omitValue ? DeadLetterRecord.withoutValue(whole) : whole
        if attempt == 1 && !omitValue {
            logger.warning("dead-lettered", metadata: [
                "topic": .string(context.lane.partition.topic), "partition": .stringConvertible(context.lane.partition.partition),
                "offset": .stringConvertible(message.offset), "reason": .string(reason),
            ])
            metrics.deadLettered.increment()
        }
        producer.produce(record) { [self] result in
            switch result {
            case .success:
                lock.withLock { inFlight -= context.lane.ledger.finish(1, of: context.ticket) }
                lock.broadcast()
            case .failure(let error) where error.isRecordTooLarge && !omitValue && record.value != nil:
                recordError("dead-letter produce to \(deadLetterTopic) failed: \(error); sending it without the value")
                sendToDeadLetterTopic(context, index: index, reason: reason, attempt: attempt, omitValue: true)
            case .failure(let error):
                recordError("dead-letter produce to \(deadLetterTopic) failed: \(error); trying again")
                let delay = settings.retry.backoff(forAttempt: attempt, random: Double.random(in: 0..<1))
                DispatchQueue.global().asyncAfter(deadline: .now() + delay.timeInterval) { [self] in
                    sendToDeadLetterTopic(context, index: index, reason: reason, attempt: attempt + 1, omitValue: omitValue)
                }
            }
        }
    }

    // MARK: - Host services (any thread)

    func pluginLog(level: sluice_log_level, message: String) {
        let swiftLevel: Logger.Level = switch level {
        case SLUICE_LOG_TRACE: .trace
        case SLUICE_LOG_DEBUG: .debug
        case SLUICE_LOG_INFO: .info
        case SLUICE_LOG_WARNING: .warning
        default: .error
        }
        logger.log(level: swiftLevel, "\(message)", metadata: ["source": "plugin"])
    }

    func pluginProduce(batchID: UInt64, record: OutgoingRecord) -> Bool {
        guard !record.topic.isEmpty else {
            logger.error("plugin produced a record with an empty topic name; refused")
            return false
        }
        let context: BatchContext? = batchID == 0 ? nil : lock.withLock {
            guard let context = batches[batchID], context.phase != .finished else { return nil }
            context.lane.ledger.add(1, to: context.ticket)
            return context
        }
        if batchID != 0, context == nil {
            logger.error("plugin produced for batch \(batchID), which is not in flight; refused")
            return false
        }
        metrics.produced.increment()
        producer.produce(record) { [self] result in
            guard let context else {
                if case .failure(let error) = result { recordError("produce to \(record.topic) failed: \(error)") }
                return
            }
            lock.withLock {
                if case .failure(let error) = result {
                    let reason = "produce to \(record.topic) failed: \(error)"
                    lastError = reason
                    if context.phase != .finished {
                        context.redeliveryReason = context.redeliveryReason ?? reason
                    } else {
                        // The delivery is already settled: send its records round again.
                        let redelivery = BatchContext(retrying: context, indices: Array(0..<context.count))
                        context.lane.ledger.add(context.count, to: context.ticket)
                        context.lane.retryBlocks += 1
                        retried += context.count
                        context.lane.readyRetries.append(redelivery)
                    }
                }
                inFlight -= context.lane.ledger.finish(1, of: context.ticket)
            }
            if case .failure = result { pump(context.lane) }
            lock.broadcast()
        }
        return true
    }

    func pluginComplete(batchID: UInt64, status: Int32) {
        let context: BatchContext? = lock.withLock {
            guard let context = batches[batchID] else { return nil }
            switch context.phase {
            case .inCall:
                if context.earlyCompletion == nil { context.earlyCompletion = status }
                return nil
            case .pending:
                context.phase = .finished
                context.lane.pendingBatches -= 1
                return context
            case .finished:
                return nil
            }
        }
        guard let context else {
            if lock.withLock({ timedOut.removeValue(forKey: batchID) }) != nil {
                logger.warning("complete() for batch \(batchID) after it timed out; ignored (it was redelivered)")
            } else {
                logger.warning("complete() for batch \(batchID), which is not pending; ignored")
            }
            return
        }
        finish(context, status: status == Int32(SLUICE_BATCH_FATAL.rawValue) ? status : Int32(SLUICE_BATCH_DONE.rawValue))
        pump(context.lane)
        lock.broadcast()
    }

    func pluginSetError(batchID: UInt64, index: Int, reason: String) {
        lock.withLock {
            guard let context = batches[batchID], context.phase != .finished else { return }
            if index == Int(bitPattern: UInt(SLUICE_BATCH_INDEX)) || index == -1 {
                context.batchReason = reason
            } else if index >= 0, index < context.count {
                context.reasons[index] = reason
            }
        }
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for Dispatch.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// Whole nanoseconds, for swift-metrics timers.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
