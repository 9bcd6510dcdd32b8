import Synchronization

/// The port the server actually bound, for whoever waits for it (tests bind port 0).
final class BoundPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case failed(any Error)
    }

    private let state = Mutex(State.waiting([]))

    /// The port, once bound; nil before (and after a failure).
    var current: Int? {
        state.withLock { state in
            guard case .bound(let port) = state else { return nil }
            return port
        }
    }

    /// The server is listening on `port`.
    func set(_ port: Int) { finish(.success(port)) }

    /// The server stopped or failed before (or without) binding.
    func fail(_ error: any Error) { finish(.failure(error)) }

    /// The port once bound; throws if the server failed first.
    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .bound(let port): return .success(port)
                case .failed(let error): return .failure(error)
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func finish(_ result: Result<Int, any Error>) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            switch result {
            case .success(let port): state = .bound(port)
            case .failure(let error): state = .failed(error)
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
