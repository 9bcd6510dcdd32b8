import Foundation
import SluiceHost
import Synchronization

/// How a batch of produced records fared once the producer acknowledged them all.
public struct ProduceOutcome: Sendable, Equatable {
    /// Records the broker stored.
    public var delivered: Int
    /// Records whose delivery failed for good, with the first reason.
    public var failed: Int
    /// The first failure's message.
    public var firstError: String?

    /// Produces `records` through `producer` and waits until every one is
    /// acknowledged, or `timeout` passes (then throws a 504).
    public static func produce(_ records: [OutgoingRecord], through producer: any RecordProducer,
                               timeout: Duration) async throws(AdminHTTPError) -> ProduceOutcome {
        let tally = Tally(expected: records.count)
        for record in records {
            producer.produce(record) { result in tally.acknowledge(result) }
        }
        let outcome = await withTaskGroup(of: ProduceOutcome?.self) { group in
            group.addTask { await tally.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            tally.cancelWaiting()
            return first
        }
        guard let outcome else {
            throw AdminHTTPError(.gatewayTimeout,
                                 "the broker did not acknowledge all \(records.count) records within \(timeout); some may still be delivered")
        }
        return outcome
    }
}

/// Counts acknowledgements and wakes the waiter when the last one arrives.
private final class Tally: Sendable {
    private struct State {
        var remaining: Int
        var outcome = ProduceOutcome(delivered: 0, failed: 0, firstError: nil)
        var waiter: CheckedContinuation<ProduceOutcome?, Never>?
        var finished = false
    }

    private let state: Mutex<State>

    init(expected: Int) { state = Mutex(State(remaining: expected)) }

    func acknowledge(_ result: Result<RecordPlacement, ProduceError>) {
        let resume: (CheckedContinuation<ProduceOutcome?, Never>, ProduceOutcome)? = state.withLock { state in
            switch result {
            case .success: state.outcome.delivered += 1
            case .failure(let error):
                state.outcome.failed += 1
                if state.outcome.firstError == nil { state.outcome.firstError = error.message }
            }
            state.remaining -= 1
            guard state.remaining == 0, !state.finished, let waiter = state.waiter else { return nil }
            state.finished = true
            state.waiter = nil
            return (waiter, state.outcome)
        }
        if let (waiter, outcome) = resume { waiter.resume(returning: outcome) }
    }

    /// The outcome once every record is acknowledged (nil if waiting was cancelled first).
    func wait() async -> ProduceOutcome? {
        await withCheckedContinuation { continuation in
            let ready: ProduceOutcome?? = state.withLock { state in
                if state.finished { return .some(nil) }
                if state.remaining == 0 {
                    state.finished = true
                    return .some(state.outcome)
                }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Releases a waiter still parked (the timeout won).
    func cancelWaiting() {
        let waiter = state.withLock { state -> CheckedContinuation<ProduceOutcome?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
