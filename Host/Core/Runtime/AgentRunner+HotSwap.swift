import CSluicePlugin
import Logging

/// An in-place upgrade on its way from an operator's thread to the agent's
/// control thread, and back.
enum UpgradeHandoff {
    /// None asked.
    case none
    /// Created and waiting for the control thread.
    case requested(PluginInstance)
    /// Taken by the control thread.
    case swapping
    /// Done: how long dispatch paused, or why it did not happen.
    case finished(Result<Duration, AgentRunner.StartError>)
}

extension AgentRunner {
    /// Replaces the running plugin with `image` in place: the new instance is
    /// created first (a failure leaves the old one running and throws); then,
    /// on the control thread, dispatch stops, in-flight work drains, the old
    /// instance is flushed, committed, closed and destroyed, and the new one
    /// opens every partition. The consumer keeps its assignment, so there is
    /// no rebalance. Returns how long dispatch was paused. Blocks.
    public func upgrade(to image: PluginImage) throws -> Duration {
        let running = self.image
        guard image.tables == running.tables, image.handlesTimers == running.handlesTimers else {
            // The lanes' state (and the changelogs) are set up for the running tables.
            throw StartError(description: "agent '\(name)': version \(image.version) changes the tables or timers "
                + "(\(Self.stateShape(running)) → \(Self.stateShape(image))); a stateful agent keeps them across a hot "
                + "reload, so restart the host to change them")
        }
        let next = try PluginInstance(image: image, agent: name, configurationJSON: settings.config.jsonText,
                                      host: HostServicesTable.handle(for: self))
        let consumer: (any RecordConsumer)? = lock.withLock {
            guard machine.lifecycle == .running, self.consumer != nil else { return nil }
            upgrade = .requested(next)
            return self.consumer
        }
        guard let consumer else {
            next.destroy()
            throw StartError(description: "agent '\(name)' is not running; it cannot be upgraded")
        }
        consumer.wakeUp()
        let outcome: Result<Duration, StartError>? = lock.withLock {
            _ = lock.wait(timeout: drainTimeout + .seconds(30)) {
                if case .finished = upgrade { true } else { false }
            }
            guard case .finished(let outcome) = upgrade else { return nil }
            upgrade = .none
            return outcome
        }
        guard let outcome else { throw StartError(description: "agent '\(name)': the upgrade did not finish in time") }
        return try outcome.get()
    }

    /// Tables and timers as one line, for the refusal above.
    static func stateShape(_ image: PluginImage) -> String {
        let tables = image.tables.isEmpty ? "no tables" : "tables " + image.tables.joined(separator: ", ")
        return tables + (image.handlesTimers ? " with timers" : "")
    }

    /// Control thread: the instance an operator asked to swap in, if any.
    func takeRequestedUpgrade() -> PluginInstance? {
        lock.withLock {
            guard case .requested(let next) = upgrade else { return nil }
            upgrade = .swapping
            return next
        }
    }

    /// With the lock, when the fetcher stops: an upgrade still waiting fails;
    /// returns its instance for the caller to destroy.
    func abandonRequestedUpgrade() -> PluginInstance? {
        guard case .requested(let next) = upgrade else { return nil }
        upgrade = .finished(.failure(StartError(description: "agent '\(name)' stopped before the upgrade")))
        return next
    }

    /// Control thread: the swap itself.
    func performUpgrade(to next: PluginInstance) {
        let started = ConditionLock.monotonicNow()
        let (old, handles, partitions) = lock.withLock {
            machine.swapBegan()
            return (instance, machine.laneResources, Set(machine.lanes.keys))
        }
        _ = waitUntil(timeout: drainTimeout) { $0.isQuiet(partitions) }
        if let old, let status = old.flush(), status != SLUICE_STATUS_OK { recordError("flush() returned \(status)") }
        let drained = waitUntil(timeout: drainTimeout) { $0.isDrained(partitions) }
        commitFinished()
        if let old {
            for handle in handles { old.close(handle) }
            if drained { old.destroy() } else {
                logger.warning("upgrade: the old instance still had work after the drain deadline; it is not destroyed")
            }
        }
        lock.withLock {
            instance = next
            currentImage = next.image
        }
        for handle in handles where next.open(handle) != SLUICE_STATUS_OK {
            fail("open(\(handle.partition)) failed on the new version \(next.image.version)")
        }
        let paused = ConditionLock.monotonicNow() - started
        feed { machine, now, actions in
            machine.swapFinished(now: now, into: &actions)
            upgrade = .finished(.success(paused))
        }
        logger.notice("plugin upgraded in place", metadata: [
            "plugin.version": .string(next.image.version), "plugin.sha256": .string(next.image.sha256),
            "pause_ms": .stringConvertible(paused.nanoseconds / 1_000_000),
        ])
    }
}
