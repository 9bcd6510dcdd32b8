import Foundation

/// A point in time after which a wait gives up, so a broken service fails a
/// test instead of hanging it.
struct Deadline {
    private let end: ContinuousClock.Instant

    /// A deadline `seconds` from now.
    init(seconds: Int) {
        end = .now + .seconds(seconds)
    }

    /// Whether the deadline has passed.
    var hasPassed: Bool { ContinuousClock.now >= end }

    /// Milliseconds left (at least 0), clamped to `cap` for one poll slice.
    func remainingMilliseconds(cap: Int32 = 200) -> Int32 {
        let left = end - ContinuousClock.now
        let millis = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int32(max(0, min(Int64(cap), millis)))
    }
}
