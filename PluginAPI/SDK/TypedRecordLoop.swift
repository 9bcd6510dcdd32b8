/// The per-record loop of a typed ``Agent``'s batch: decode each value into
/// a ``Record``, hand it to the agent, write its outcome.
///
/// It is `@inlinable` so that it is compiled in the agent's own module, for
/// the agent's type: `SluicePlugin.export` (inlined there) wraps `run` for
/// the concrete agent and hands it to the instance.
/// The specialized loop calls the agent's `handle` directly, where the
/// compiler may inline it: a `handle` that does not suspend then costs no
/// executor check per record, and the record's type needs no metadata
/// lookups. The rest of a batch (its context, timers, completion) stays in
/// the SDK's generic code, once per batch.
@usableFromInline
enum TypedRecordLoop<A: Agent> {
    /// The loop, as the instance calls it once per batch.
    @usableFromInline
    typealias Body = @Sendable (_ batch: BorrowedBatch, _ agent: A, _ decoder: ValueDecoding, _ keys: BatchKeys,
                                _ context: AgentContext, _ tracksStreamTime: Bool) async -> TypedRecordLoopEnd

    /// Handles `batch`'s records in order and writes their results.
    /// - Parameter tracksStreamTime: the agent keeps state, so the partition's
    ///   stream time follows the records handled.
    @inlinable
    static func run(_ batch: BorrowedBatch, agent: A, decoder: ValueDecoding, keys: BatchKeys,
                    context: AgentContext, tracksStreamTime: Bool) async -> TypedRecordLoopEnd {
        var retried = false
        for index in 0..<batch.count {
            let message = batch.message(at: index)
            // The agent's call is this loop's only `await` per record.
            let outcome: Outcome
            do {
                if let value = message.value {
                    let record = Record<A.Input>(
                        value: try decoder.decode(A.Input.self, from: value), keyStorage: keys.storage(at: index),
                        headers: message.recordHeaders, topic: context.topic, partition: context.partition,
                        offset: message.offset, timestampMilliseconds: message.timestampMilliseconds)
                    outcome = try await agent.handle(record, context: context)
                } else {
                    outcome = try await agent.handleTombstone(key: message.keyBytes, context: context)
                }
            } catch let invalid as InvalidValue {
                outcome = .deadLetter(reason: "invalid JSON value: \(invalid.reason)")
            } catch {
                switch AgentInstance.outcome(for: error) {
                case .success(let mapped): outcome = mapped
                case .failure(let fatal): return .fatal(reason: fatal.reason)
                }
            }
            if case .retry = outcome { retried = true }
            batch.setOutcome(outcome, at: index, host: context.host)
            // Stream time as windows see it: the records handled so far.
            if tracksStreamTime, let slot = context.slot {
                slot.advanceStreamTime(to: message.timestampMilliseconds)
            }
        }
        return .finished(retried: retried)
    }
}

/// How ``TypedRecordLoop`` left a batch.
@usableFromInline
enum TypedRecordLoopEnd: Sendable {
    /// Every record has its result; `retried`: at least one asked for a retry.
    case finished(retried: Bool)
    /// The agent threw ``AgentError/fatal(_:)``: the batch fails with `reason`.
    case fatal(reason: String)
}
