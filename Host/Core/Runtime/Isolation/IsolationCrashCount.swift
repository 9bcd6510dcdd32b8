import Synchronization

/// How many times each isolated agent's runner ended unasked in this host
/// process, for `sluice agents` and the agent's status.
enum IsolationCrashCount {
    private static let counts = Mutex<[String: Int]>([:])

    static func add(agent: String) {
        counts.withLock { $0[agent, default: 0] += 1 }
    }

    /// Crashes of `agent`'s runners so far.
    static func of(agent: String) -> Int {
        counts.withLock { $0[agent] ?? 0 }
    }
}
