import CSluicePlugin
import Foundation

/// The object behind the C `instance` pointer (an `Unmanaged` retain, released
/// in `destroy`). Non-generic, because the shared C hooks cannot name the
/// agent type; the generic subclasses dispatch to the agent.
@usableFromInline
class AgentInstance: @unchecked Sendable {
    // @unchecked: immutable after init; subclasses keep only Sendable state.
    let host: HostServices
    let inFlight = InFlightBatches()
    /// How long flush and destroy wait for pending batches before giving up.
    static let drainTimeout: TimeInterval = 60

    init(host: HostServices) {
        self.host = host
    }

    func openPartition(topic: String, partition: Int32) throws -> AnyObject? { nil }
    func closePartition(topic: String, partition: Int32, state: AnyObject?) {}
    func onBatch(_ batch: BorrowedBatch) -> Int32 { Int32(SLUICE_BATCH_DONE.rawValue) }
    func flushAgent() throws {}
    /// Handles due timers; returns DONE or FATAL. Default: nothing to handle.
    func onTimer(_ timers: BorrowedTimerBatch) -> Int32 { Int32(SLUICE_BATCH_DONE.rawValue) }

    /// Waits for pending batches, then flushes the agent.
    final func flush() -> Int32 {
        let left = inFlight.waitUntilIdle(timeout: Self.drainTimeout)
        if left > 0 {
            host.log(.error, "flush: \(left) pending batch(es) still not completed after \(Int(Self.drainTimeout)) s")
            return SLUICE_STATUS_ERROR
        }
        do {
            try flushAgent()
            return SLUICE_STATUS_OK
        } catch {
            host.log(.error, "flush failed: \(error)")
            return SLUICE_STATUS_ERROR
        }
    }

    /// Waits for pending batches before the instance goes away: their tasks
    /// still use the host table, which is valid only until destroy returns.
    /// Then stops what the instance started.
    final func prepareForDestroy() {
        let left = inFlight.waitUntilIdle(timeout: Self.drainTimeout)
        if left > 0 { host.log(.error, "destroy: \(left) pending batch(es) never completed") }
        stopExecution(batchesDrained: left == 0)
    }

    /// Stops the threads the instance started, once its batches drained (or
    /// the drain timed out: `batchesDrained` false). Default: nothing started.
    func stopExecution(batchesDrained: Bool) {}

    /// Maps an error thrown by an agent to an outcome, or to a fatal reason.
    @usableFromInline
    static func outcome(for error: any Error) -> Result<Outcome, FatalAgentError> {
        switch error {
        case AgentError.retry(let reason): .success(.retry(reason: reason))
        case AgentError.deadLetter(let reason): .success(.deadLetter(reason: reason))
        case AgentError.skip: .success(.skip)
        case AgentError.fatal(let reason): .failure(FatalAgentError(reason: reason))
        default: .success(.retry(reason: String(describing: error)))
        }
    }
}

/// A fatal outcome: the batch finishes as `SLUICE_BATCH_FATAL`.
@usableFromInline
struct FatalAgentError: Error {
    @usableFromInline let reason: String
}

/// Runs an async closure to completion on `executor` and blocks the calling
/// thread until it ended. Only for the control-thread hooks (flush), which the
/// host calls from its own threads: the wait depends on `executor`'s threads
/// alone, never on Swift concurrency's cooperative pool.
func runBlocking(on executor: any TaskExecutor, _ body: @escaping @Sendable () async throws -> Void) throws {
    final class Outcome: @unchecked Sendable {
        // @unchecked: written by the task before signal(), read after wait().
        var error: (any Error)?
    }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task(executorPreference: executor) {
        do { try await body() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}
