import CSluicePlugin
import Foundation

/// Dispatches the C hooks to an ``Agent``: every batch is answered PENDING
/// and handled by one task, after the previous batch of its partition. The
/// tasks, and `flush`, run on the instance's own ``InstanceExecutor``.
final class AsyncAgentInstance<A: Agent>: TypedAgentInstance<A>, @unchecked Sendable {
    // @unchecked: `executor` is immutable and Sendable; the base class says why the rest is safe.
    /// Where the agent's code runs; started in `create`, stopped in `destroy`.
    let executor: InstanceExecutor
    /// Whether the agent overrides ``Agent/makeDecoder()`` (then Foundation decodes its values).
    let usesFoundationDecoder = ValueDecoding.usesFoundation(A.self)

    init(agent: A, host: HostServices, executor: InstanceExecutor) {
        self.executor = executor
        super.init(agent: agent, host: host)
    }

    /// The name of an instance's threads: `sluice-sdk-<agent name>`.
    static var threadName: String { "sluice-sdk-\(A.name)" }

    override func flushAgent() throws {
        let agent = agent
        try runBlocking(on: executor) { try await agent.flush() }
    }

    override func stopExecution(batchesDrained: Bool) {
        guard batchesDrained else {
            // A batch still running after the drain timeout may be stuck in a
            // job, and its task still uses the executor: do not wait for the
            // threads, and keep the executor alive (leaked, on purpose).
            _ = Unmanaged.passRetained(executor)
            executor.shutdown(join: false)
            return
        }
        executor.shutdown()
    }

    override func onBatch(_ batch: BorrowedBatch) -> Int32 {
        let slot = batch.slot
        let previous = slot?.tail
        inFlight.enter()
        let pending = PendingBatch(batch: batch, host: host, whenFinished: { [inFlight] in inFlight.leave() })
        let (agent, host, usesFoundationDecoder) = (agent, host, usesFoundationDecoder)
        let task = Task(executorPreference: executor) {
            // Keep the partition's order: this batch starts after the previous one finished.
            await previous?.value
            await Self.process(batch, pending: pending, agent: agent, host: host, slot: slot,
                               usesFoundationDecoder: usesFoundationDecoder)
        }
        // on_batch never runs concurrently for one partition, so this write is race-free.
        slot?.tail = task
        return pending.statusForOnBatch()
    }

    /// Decodes and handles the batch's records in order, writes the results,
    /// and completes the batch.
    private static func process(_ batch: BorrowedBatch, pending: PendingBatch, agent: A, host: HostServices,
                                slot: PartitionSlot?, usesFoundationDecoder: Bool) async {
        let context = AgentContext(host: host, batchID: batch.id, topic: batch.topic, partition: batch.partition,
                                   attempt: batch.attempt, slot: slot)
        let decoder = ValueDecoding(for: A.self, foundation: usesFoundationDecoder)
        for index in 0..<batch.count {
            let message = batch.message(at: index)
            let outcome: Outcome
            do {
                outcome = try await handle(message, agent: agent, decoder: decoder, context: context)
            } catch {
                pending.fail(reason: error.reason)
                return
            }
            batch.setOutcome(outcome, at: index, host: host)
        }
        pending.complete()
    }

    /// One message: decode, call the agent, map errors. Throws only `FatalAgentError`.
    private static func handle(_ message: Message, agent: A, decoder: ValueDecoding,
                               context: AgentContext) async throws(FatalAgentError) -> Outcome {
        do {
            guard let value = message.value else {
                return try await agent.handleTombstone(key: message.keyBytes, context: context)
            }
            let input: A.Input
            do {
                input = try decoder.decode(A.Input.self, from: value)
            } catch {
                return .deadLetter(reason: "invalid JSON value: \(error.reason)")
            }
            let record = Record(value: input, key: message.keyBytes, headers: message.headers.map(\.owned),
                                topic: context.topic, partition: context.partition, offset: message.offset,
                                timestampMilliseconds: message.timestampMilliseconds)
            return try await agent.handle(record, context: context)
        } catch {
            switch outcome(for: error) {
            case .success(let outcome): return outcome
            case .failure(let fatal): throw fatal
            }
        }
    }
}
