import CSluicePlugin
import Logging

/// The plugin's calls into the host (`sluice_host_api`, through
/// ``HostServicesTable``). Any thread may make them, at any time.
extension AgentRunner {
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

    /// produce(): a record tied to batch `batchID` (0: to no batch) holds that
    /// batch's offsets back until the broker acknowledges it; a failure sends
    /// the batch's records round again.
    /// With tracing on, a record produced for a traced batch carries the
    /// batch span's `traceparent`, unless the plugin set one itself.
    func pluginProduce(batchID: UInt64, record proposed: OutgoingRecord) -> Bool {
        var record = proposed
        guard !record.topic.isEmpty else {
            logger.error("plugin produced a record with an empty topic name; refused")
            return false
        }
        if batchID != 0, state == nil, tracing == nil { return produceTallied(batchID: batchID, record: record) }
        let receipt = batchID == 0 ? nil : lock.withLock { machine.produceRequested(for: batchID) }
        if batchID != 0, receipt == nil {
            logger.error("plugin produced for batch \(batchID), which is not in flight; refused")
            return false
        }
        if tracing != nil, let header = receipt?.delivery.span?.header,
           !record.headers.contains(where: { TraceParent.isHeaderName($0.name) }) {
            record.headers.append(header)
        }
        let sent = record
        metrics.produced.increment()
        if state != nil, let receipt {
            // A stateful batch's writes stand once it settles, so it is never run
            // again for a failed produce: the record is sent until it is stored.
            produceUntilStored(sent, attempt: 1, giveUpIf: { [self] in
                lock.withLock { machine.currentLane(receipt.lane) == nil }
            }) { [self] _ in
                feed { machine, _, _ in machine.produceAcknowledged(receipt) }
            }
            return true
        }
        producer.produce(sent) { [self, sent] result in
            guard let receipt else {
                if case .failure(let error) = result { recordError("produce to \(sent.topic) failed: \(error)") }
                return
            }
            feed { machine, now, actions in
                switch result {
                case .success:
                    machine.produceAcknowledged(receipt)
                case .failure(let error):
                    machine.produceFailed(receipt, reason: "produce to \(sent.topic) failed: \(error)",
                                          now: now, into: &actions)
                }
            }
        }
        return true
    }

    /// produce() for a batch of an agent without tables or tracing: counted
    /// on the delivery's ``ProduceTally``, so neither the record nor its
    /// acknowledgement takes the agent's lock (only the last acknowledgement
    /// after the batch settled does).
    private func produceTallied(batchID: UInt64, record: OutgoingRecord) -> Bool {
        guard let tally = openTally(batchID) else {
            logger.error("plugin produced for batch \(batchID), which is not in flight; refused")
            return false
        }
        metrics.produced.increment()
        // Captures the tally alone: retaining the runner for every record
        // from several threads made its reference count a contended line.
        producer.produce(record) { [tally, topic = record.topic] result in
            switch result {
            case .success: tally.acknowledged()
            case .failure(let error): tally.failed("produce to \(topic) failed: \(error)")
            }
        }
        return true
    }

    /// produce_batch(): `batch`'s records, as many produce() calls would, but
    /// checked and counted against the batch once. Records of an agent with
    /// tables or tracing take produce()'s path one by one.
    func pluginProduceBatch(batchID: UInt64, batch: BorrowedRecordBatch) -> Bool {
        guard !batch.topic.isEmpty else {
            logger.error("plugin produced \(batch.count) records with an empty topic name; refused")
            return false
        }
        guard batchID != 0, state == nil, tracing == nil else {
            for index in 0..<batch.count where !pluginProduce(batchID: batchID, record: batch.outgoing(at: index)) {
                return false
            }
            return true
        }
        guard batch.count > 0 else { return true }
        guard let tally = openTally(batchID, count: batch.count) else {
            logger.error("plugin produced \(batch.count) records for batch \(batchID), which is not in flight; refused")
            return false
        }
        metrics.produced.increment(by: Int64(batch.count))
        producer.produce(batch) { [tally, topic = batch.topic] count, failure in
            if let failure {
                tally.failed("produce to \(topic) failed: \(failure)", count: count)
            } else {
                tally.acknowledged(count: count)
            }
        }
        return true
    }

    /// Notes `count` produced records on batch `batchID`'s tally: the one
    /// this thread used last when it is that batch's, else the machine's
    /// (under the lock). Nil when the batch is not in flight.
    private func openTally(_ batchID: UInt64, count: Int = 1) -> ProduceTally? {
        if let remembered = ProducingThread.tally(for: batchID) {
            // Closed: the batch settled since this thread last produced for it.
            return remembered.produced(count: count) ? remembered : nil
        }
        guard let tally = lock.withLock({ machine.produceTally(for: batchID) }) else { return nil }
        tally.whenFinished { [self] failure in
            feed { machine, now, actions in machine.producesFinished(batchID, failure: failure, now: now, into: &actions) }
        }
        guard tally.produced(count: count) else { return nil }
        ProducingThread.remember(tally, for: batchID)
        return tally
    }

    /// complete(): the results the batch holds now are its results. A
    /// complete() that comes before on_batch has returned PENDING is allowed
    /// and takes effect when it returns.
    func pluginComplete(batchID: UInt64, status: Int32) {
        let fatal = status == Int32(SLUICE_BATCH_FATAL.rawValue)
        let (outcome, span) = feed { machine, now, actions in
            // The plugin no longer writes a completed batch's results: read them now.
            let delivery = machine.deliveries[batchID]?.delivery
            let results = delivery?.writtenResults ?? .allFinished(0)
            return (machine.completed(batchID, fatal: fatal, results: results, now: now, into: &actions),
                    tracing == nil ? nil : delivery?.span)
        }
        if let span, outcome == .settled || outcome == .early {
            span.end(failure: fatal ? "complete() with SLUICE_BATCH_FATAL" : nil)
        }
        switch outcome {
        case .settled:
            break
        case .early:
            logger.trace("complete() for batch \(batchID) before on_batch returned; it takes effect when on_batch returns PENDING")
        case .afterTimeout:
            logger.warning("complete() for batch \(batchID) after it timed out; ignored (it was redelivered)")
        case .unknown:
            logger.warning("complete() for batch \(batchID), which is not open (completed already, or never handed out); ignored")
        }
    }

    /// trace_context(): the `traceparent` of batch `batchID`'s span; nil when
    /// tracing is off or the batch is not in flight.
    func pluginTraceContext(batchID: UInt64) -> TraceParent? {
        guard tracing != nil else { return nil }
        return lock.withLock { machine.deliveries[batchID]?.delivery }?.span?.traceParent
    }

    /// set_error(): the reason for record `index` (or the whole batch).
    func pluginSetError(batchID: UInt64, index: Int, reason: String) {
        let wholeBatch = index == Int(bitPattern: UInt(SLUICE_BATCH_INDEX)) || index == -1
        lock.withLock { machine.setError(batchID, index: wholeBatch ? nil : index, reason: reason) }
    }
}
