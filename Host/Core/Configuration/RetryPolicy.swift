/// How often and how patiently a failed record is redelivered
/// (yaml: `retry: { max_attempts, initial_backoff, max_backoff, multiplier, jitter }`).
public struct RetryPolicy: Sendable, Equatable {
    /// Total deliveries including the first; 1 means no retry.
    public var maxAttempts: Int = 5
    /// Wait before the first retry.
    public var initialBackoff: Duration = .milliseconds(100)
    /// Upper bound of any wait.
    public var maxBackoff: Duration = .seconds(10)
    /// Growth of the wait from one retry to the next (≥ 1).
    public var multiplier: Double = 2
    /// Fraction of each wait that is randomised (0…1), so retries of many
    /// partitions do not hit a recovering service in lockstep.
    public var jitter: Double = 0.2

    /// The defaults: 5 attempts, 100ms doubling to at most 10s, 20% jitter.
    public init() {}

    /// The wait before retry number `attempt` (1 = the first retry).
    ///
    /// The un-jittered wait is `min(maxBackoff, initialBackoff · multiplier^(attempt−1))`;
    /// jitter then takes away up to `jitter` of it: the result is
    /// `base · (1 − jitter · random)`, so it lies in `(base·(1−jitter), base]`
    /// and never exceeds `maxBackoff`.
    /// - Parameters:
    ///   - attempt: the retry number; values below 1 count as 1.
    ///   - random: a uniform random number in `0..<1` (clamped to `0...1`).
    public func backoff(forAttempt attempt: Int, random: Double) -> Duration {
        let cap = maxBackoff.secondsValue
        let initial = initialBackoff.secondsValue
        // 0 · ∞ would be NaN: a zero initial backoff stays zero however large the attempt.
        var base = initial == 0 ? 0 : initial * Self.power(multiplier, max(attempt, 1) - 1)
        if !base.isFinite || base > cap { base = cap }
        let fraction = random.isNaN ? 0 : min(max(random, 0), 1)
        let spread = min(max(jitter, 0), 1)
        let seconds = max(0, base * (1 - spread * fraction))
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// `base^exponent` by repeated squaring; exact for small integral multipliers
    /// and stops early once the result is infinite.
    private static func power(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0, factor = base, remaining = exponent
        while remaining > 0 && result.isFinite {
            if remaining & 1 == 1 { result *= factor }
            factor *= factor
            remaining >>= 1
        }
        return result
    }
}
