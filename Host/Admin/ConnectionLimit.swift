import Synchronization

/// Counts the admin API's open connections against `admin.max_connections`,
/// so admin clients can never take the file descriptors the host's own work
/// (consumers, producers, plugins' sinks) needs.
final class ConnectionLimit: Sendable {
    /// What `open()` decided.
    enum Admission: Equatable {
        /// Below the limit: the connection counts until `close()`.
        case admitted
        /// At the limit: close the connection. `firstRefusal` is true for the
        /// first refusal since the count was last below the limit (worth one log line).
        case refused(firstRefusal: Bool)
    }

    /// The most connections open at once.
    let maximum: Int
    private let state = Mutex((open: 0, refusing: false))

    /// A limit of `maximum` (at least 1) connections.
    init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    /// A new connection: admitted and counted, or refused.
    func open() -> Admission {
        state.withLock { state in
            guard state.open < maximum else {
                defer { state.refusing = true }
                return .refused(firstRefusal: !state.refusing)
            }
            state.open += 1
            return .admitted
        }
    }

    /// An admitted connection closed.
    func close() {
        state.withLock { state in
            state.open -= 1
            if state.open < maximum { state.refusing = false }
        }
    }

    /// Connections open now.
    var openCount: Int { state.withLock { $0.open } }
}
