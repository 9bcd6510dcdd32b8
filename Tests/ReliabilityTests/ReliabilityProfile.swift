import Foundation

/// How hard the chaos scenarios push: the short variant runs in CI (real
/// crashes and outages, fewer of them); `SLUICE_RELIABILITY_LONG=1` selects the
/// issue's full variant (100k records, 10 crashes, 10 s outages).
struct ReliabilityProfile: Sendable, CustomStringConvertible {
    /// Records produced for the crash loop.
    let crashLoopRecords: Int
    /// `kill -9`s injected during the crash loop.
    let crashes: Int
    /// How long Redis stays frozen (SIGSTOP).
    let sinkOutage: Duration
    /// How long the broker stays frozen (SIGSTOP). Longer than the tests'
    /// `session.timeout.ms` (6 s), so the group loses its member and the host
    /// must rejoin and be assigned its partitions again.
    let brokerOutage: Duration
    /// Records produced for the outage scenarios.
    let outageRecords: Int
    /// Records produced for the graceful-stop scenario.
    let gracefulRecords: Int
    /// SIGTERMs under load before the final run.
    let gracefulStops: Int
    /// Which variant this is, for the printed figures.
    let name: String

    var description: String { name }

    static let short = ReliabilityProfile(
        crashLoopRecords: 10_000, crashes: 3, sinkOutage: .seconds(5), brokerOutage: .seconds(8), outageRecords: 10_000,
        gracefulRecords: 10_000, gracefulStops: 2, name: "short")

    static let long = ReliabilityProfile(
        crashLoopRecords: 100_000, crashes: 10, sinkOutage: .seconds(10), brokerOutage: .seconds(10), outageRecords: 100_000,
        gracefulRecords: 100_000, gracefulStops: 5, name: "long")

    /// The variant the environment asks for.
    static let current: ReliabilityProfile =
        ProcessInfo.processInfo.environment["SLUICE_RELIABILITY_LONG"] == "1" ? .long : .short
}
