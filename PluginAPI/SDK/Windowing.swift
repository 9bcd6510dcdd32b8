/// How a windowed table cuts stream time into windows. Times are record
/// timestamps in milliseconds since the epoch; a window `[start, end)`
/// contains the records with `start <= timestamp < end`.
public enum Windowing: Sendable, Equatable {
    /// Fixed, gap-less, non-overlapping windows of `size`, aligned to the
    /// epoch: a record at `t` falls in `[t - t % size, t - t % size + size)`.
    case tumbling(Duration)
    /// Windows of `size` starting every `step` (aligned to the epoch), so
    /// they overlap when `step < size`: a record falls in every window
    /// `[k * step, k * step + size)` that contains it (`size / step` of them
    /// when `step` divides `size`).
    case hopping(size: Duration, step: Duration)
    /// One window per record: a record of a key at `t` starts the window
    /// `[t, t + size)` of that key (records with the same timestamp share
    /// it), and every record of the key is added to each of the key's
    /// windows that contains it. A closed window therefore holds the
    /// aggregate of the record that started it and of the key's records in
    /// the `size` after it ("how many views within a minute of each view").
    /// Unlike Kafka Streams' sliding windows, which end at each record and
    /// look back, these start at each record and look forward: an aggregate
    /// can be built from updates alone, without keeping the records.
    case sliding(Duration)

    /// The window length in milliseconds.
    public var sizeMilliseconds: Int64 {
        switch self {
        case .tumbling(let size), .hopping(let size, _), .sliding(let size): size.milliseconds
        }
    }

    /// The starts of the fixed windows (tumbling, hopping) containing
    /// `timestamp`, oldest first; empty for sliding windows, whose starts
    /// depend on the key's records.
    public func fixedWindowStarts(containing timestamp: Int64) -> [Int64] {
        switch self {
        case .tumbling(let size):
            let length = size.milliseconds
            return [timestamp.flooredMultiple(of: length)]
        case .hopping(let size, let step):
            let (length, stride) = (size.milliseconds, step.milliseconds)
            var starts: [Int64] = []
            var start = timestamp.flooredMultiple(of: stride)
            while start > timestamp - length {
                starts.append(start)
                start -= stride
            }
            return starts.reversed()
        case .sliding:
            return []
        }
    }

    /// Why the windowing cannot be used, or nil when it can.
    var problem: String? {
        switch self {
        case .tumbling(let size), .sliding(let size):
            size.milliseconds > 0 ? nil : "the window size must be at least 1 ms"
        case .hopping(let size, let step):
            if size.milliseconds <= 0 || step.milliseconds <= 0 { "window size and step must be at least 1 ms" }
            else if step.milliseconds > size.milliseconds { "the hop step must not exceed the window size" }
            else { nil }
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds (rounded down).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Int64 {
    /// The largest multiple of `divisor` not above `self` (`divisor` > 0).
    func flooredMultiple(of divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder >= 0 ? self - remainder : self - remainder - divisor
    }
}
