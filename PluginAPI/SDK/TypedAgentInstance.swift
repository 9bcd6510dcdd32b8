/// What ``AsyncAgentInstance`` and ``BatchAgentInstance`` share: the agent
/// value and the per-partition hooks, which ``SluiceAgent`` declares for both
/// kinds of agent.
class TypedAgentInstance<A: SluiceAgent>: AgentInstance, @unchecked Sendable {
    // @unchecked: `agent` is immutable and Sendable; the base class says why it is safe.
    let agent: A

    init(agent: A, host: HostServices) {
        self.agent = agent
        super.init(host: host)
    }

    override final func openPartition(topic: String, partition: Int32) throws -> AnyObject? {
        try agent.openPartition(topic: topic, partition: partition)
    }

    override final func closePartition(topic: String, partition: Int32, state: AnyObject?) {
        agent.closePartition(topic: topic, partition: partition, state: state as? A.PartitionState)
    }
}
