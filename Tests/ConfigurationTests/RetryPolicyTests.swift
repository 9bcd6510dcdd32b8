import SluiceHost
import Testing

/// Exponential backoff with a cap and jitter.
@Suite struct RetryPolicyTests {
    static func policy(jitter: Double) -> RetryPolicy {
        var policy = RetryPolicy()
        policy.jitter = jitter
        return policy
    }

    @Test func growsByTheMultiplierUntilTheCap() {
        let policy = Self.policy(jitter: 0)
        let waits = (1...10).map { policy.backoff(forAttempt: $0, random: 0.7) }
        #expect(waits == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
            .milliseconds(3200), .milliseconds(6400), .seconds(10), .seconds(10), .seconds(10),
        ])
    }

    @Test func hugeAttemptsStayAtTheCap() {
        let policy = Self.policy(jitter: 0)
        #expect(policy.backoff(forAttempt: 5_000, random: 0) == .seconds(10))
        #expect(policy.backoff(forAttempt: .max, random: 0) == .seconds(10))
        #expect(policy.backoff(forAttempt: 0, random: 0) == .milliseconds(100))
        #expect(policy.backoff(forAttempt: -3, random: 0) == .milliseconds(100))
    }

    @Test func jitterTakesAwayAtMostItsFraction() {
        let policy = Self.policy(jitter: 0.2)
        #expect(policy.backoff(forAttempt: 1, random: 0) == .milliseconds(100))
        #expect(policy.backoff(forAttempt: 1, random: 0.5) == .milliseconds(90))
        #expect(policy.backoff(forAttempt: 9, random: 0.5) == .seconds(9))
        for attempt in 1...12 {
            let base = Self.policy(jitter: 0).backoff(forAttempt: attempt, random: 0)
            for random in stride(from: 0.0, to: 1.0, by: 0.05) {
                let wait = policy.backoff(forAttempt: attempt, random: random)
                #expect(wait <= base)
                #expect(wait > base * 0.8 - .nanoseconds(1))
                #expect(wait <= policy.maxBackoff)
            }
        }
    }

    @Test func fullJitterAndZeroBackoff() {
        var policy = Self.policy(jitter: 1)
        #expect(policy.backoff(forAttempt: 3, random: 0.999_999) < .milliseconds(1))
        policy.initialBackoff = .zero
        #expect(policy.backoff(forAttempt: 2_000, random: 0) == .zero)
        policy.multiplier = 1
        policy.initialBackoff = .seconds(2)
        policy.jitter = 0
        #expect(policy.backoff(forAttempt: 40, random: 0.3) == .seconds(2))
    }
}
