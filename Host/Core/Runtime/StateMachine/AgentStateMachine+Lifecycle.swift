extension AgentStateMachine {
    // MARK: - Assignment

    /// `partition` now belongs to this agent, starting at `startOffset`; the
    /// shell has opened it in the plugin. `committedOffset` is the group's
    /// committed offset when the start lies beyond it (restored state covers
    /// the records between): the start is then committed at the next commit.
    /// Returns the new lane's identity.
    @discardableResult
    mutating func assigned(_ partition: TopicPartition, startOffset: Int64, committedOffset: Int64? = nil,
                           resources: Factory.LaneResources) -> LaneID {
        let id = newLaneID(for: partition)
        var lane = Lane(id: id, resources: resources, startOffset: startOffset, seals: limits.stateful)
        if let committedOffset { lane.committed = min(committedOffset, startOffset) }
        lanes[partition] = lane
        return id
    }

    /// Revocation begins: nothing new is fed to or dispatched on these lanes;
    /// what was fetched but not dispatched is dropped (it is fetched again from
    /// the committed offset by whoever owns the partition next).
    mutating func revocationBegan(_ partitions: [TopicPartition]) {
        for partition in partitions {
            guard var lane = lanes[partition] else { continue }
            if lane.stage == .active { lane.stage = .revoking }
            inFlight -= lane.dropQueue()
            lanes[partition] = lane
        }
    }

    /// Whether `partitions` are all this agent's lanes (a shutdown).
    func coversEveryLane(_ partitions: Set<TopicPartition>) -> Bool {
        Set(lanes.keys) == partitions
    }

    /// No plugin call runs on these lanes (or never will return).
    func isQuiet(_ partitions: some Sequence<TopicPartition>) -> Bool {
        partitions.allSatisfy { lanes[$0]?.isQuiet ?? true }
    }

    /// Nothing is running, pending, waiting for a retry or unacknowledged on these lanes.
    func isDrained(_ partitions: some Sequence<TopicPartition>) -> Bool {
        partitions.allSatisfy { lanes[$0]?.isDrained ?? true }
    }

    /// Lanes leave: their unfinished ledger entries are forgotten (the records
    /// are fetched again from the committed offset). Returns each lane's
    /// resources and whether the plugin may close it now (a call that never
    /// returned keeps its partition state: close() must not race it).
    mutating func closeLanes(_ partitions: [TopicPartition]) -> [(resources: Factory.LaneResources, closable: Bool)] {
        partitions.compactMap { partition in
            guard var lane = lanes.removeValue(forKey: partition) else { return nil }
            inFlight -= lane.ledger.reset(to: lane.ledger.committable)
            lane.readyRetries.removeAll()
            return (lane.resources, lane.inCall == nil)
        }
    }

    // MARK: - Commits

    /// Offsets to commit: each lane (of `only`, if given) whose finished prefix
    /// moved past its last commit.
    func offsetsToCommit(only: Set<TopicPartition>? = nil) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for (partition, lane) in lanes where only?.contains(partition) ?? true {
            if lane.ledger.committable > lane.committed { offsets[partition] = lane.ledger.committable }
        }
        return offsets
    }

    /// The broker took these commits.
    mutating func committed(_ offsets: [TopicPartition: Int64]) {
        for (partition, offset) in offsets { lanes[partition]?.committed = offset }
    }

    // MARK: - In-place swap

    /// The instance is about to be replaced: only in-flight work is dispatched
    /// until `swapFinished`.
    mutating func swapBegan() {
        if instance == .live { instance = .swapping }
    }

    /// The new instance has opened every lane: dispatch resumes.
    mutating func swapFinished(now: Duration, into actions: inout [Action]) {
        if instance == .swapping { instance = .live }
        dispatchEverywhere(now: now, into: &actions)
    }

    /// Every lane's resources, for opening or closing them all in the plugin.
    var laneResources: [Factory.LaneResources] { lanes.values.map(\.resources) }

    /// The instance is gone. Returns how many deliveries are still open: a
    /// plugin that never completed one could still call complete() later.
    mutating func instanceReleased() -> Int {
        instance = .destroyed
        return deliveries.count + timedOut.count
    }

    // MARK: - Operator pause and resume

    /// An operator pauses the agent: nothing is fetched or dispatched; in-flight work finishes.
    mutating func operatorPause() {
        operatorPaused = true
        if reportedState == .running { reportedState = .paused("paused by an operator") }
    }

    /// An operator resumes it, releasing partitions the pause policy held (their
    /// held records are tried once more). Returns whether the consumer's
    /// partitions may resume (not while backpressure holds them).
    mutating func operatorResume(now: Duration, into actions: inout [Action]) -> Bool {
        operatorPaused = false
        for partition in lanes.keys {
            guard case .exhausted(_, let parked) = lanes[partition]!.hold else { continue }
            lanes[partition]!.hold = .none
            lanes[partition]!.readyRetries.append(parked)
            retried += parked.count
        }
        if case .paused = reportedState { reportedState = .running }
        dispatchEverywhere(now: now, into: &actions)
        return !holdingForBackpressure
    }

    // MARK: - Stop and failure

    /// A stop was asked: nothing new starts; in-flight work finishes.
    mutating func stopRequested() {
        if lifecycle == .running { lifecycle = .stopping }
    }

    /// The fetcher left its loop (after the consumer revoked everything).
    mutating func fetcherFinished() {
        lifecycle = .stopped
        switch reportedState {
        case .running, .paused: reportedState = .stopped
        case .failed, .stopped: break
        }
    }

    /// The agent stops for good with `reason` (FATAL, failed open, a call that
    /// never returned); the first failure wins.
    mutating func fail(_ reason: String, into actions: inout [Action]) {
        guard failure == nil else { return }
        failure = reason
        reportedState = .failed(reason)
        lastError = reason
        stopRequested()
        actions.append(.fail(reason))
        actions.append(.wakeFetcher)
    }

    /// Whether the agent has failed.
    var hasFailed: Bool { failure != nil }
}
