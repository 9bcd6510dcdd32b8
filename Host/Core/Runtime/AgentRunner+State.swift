extension AgentRunner {
    /// A stateful delivery settled: its writes stand or are dropped.
    func stateSettled(_ delivery: BatchContext, lane: LaneID, keep: Bool) {}

    /// Seals lane `lane`'s state through `seal`.
    func sealState(_ lane: LaneID, _ seal: OffsetLedger.Seal) {
        feed { machine, _, _ in machine.sealed(lane) }
    }
}
