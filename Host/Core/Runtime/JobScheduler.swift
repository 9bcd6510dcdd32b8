/// Runs jobs after a delay, off Swift's cooperative pool: retry backoffs and
/// dead-letter re-sends. Injected into the agent runner so tests can drive
/// time themselves.
public protocol JobScheduler: Sendable {
    /// Runs `job` once, no earlier than `delay` from now, on a thread the
    /// scheduler owns. Jobs must not block for long.
    func schedule(after delay: Duration, _ job: @escaping @Sendable () -> Void)
}
