/// When an agent finished records since it was started or last resumed, and
/// the process's CPU time at those moments: a run measured by the host's own
/// clocks, so a benchmark that polls the admin API is not blurred by its
/// polling interval.
///
/// Times are readings of `CLOCK_MONOTONIC` in seconds (the clock Python's
/// `time.monotonic()` and `ConditionLock.monotonicNow()` read on Linux); CPU
/// times are `CLOCK_PROCESS_CPUTIME_ID` (user + system of every thread of the
/// process) in seconds. Records are counted when their batch finishes (OK or
/// SKIP), so the first reading is taken when the first batch finished:
/// `(records - firstBatchRecords) / (lastFinished - firstFinished)` is the rate
/// from then to the last finish.
public struct FinishWindow: Sendable, Equatable {
    /// Monotonic seconds when the window opened (agent started or resumed).
    public var openedAt: Double
    /// Records finished (OK or SKIP) since the window opened.
    public var records: Int
    /// Records of the first finished batch (already counted at `firstFinishedAt`).
    public var firstBatchRecords: Int
    /// Monotonic seconds when the first batch finished.
    public var firstFinishedAt: Double
    /// Monotonic seconds when the latest batch finished.
    public var lastFinishedAt: Double
    /// Process CPU seconds (user + system) when the first batch finished.
    public var firstCPUSeconds: Double
    /// Process CPU seconds (user + system) when the latest batch finished.
    public var lastCPUSeconds: Double

    /// Creates a window from its readings.
    public init(openedAt: Double, records: Int, firstBatchRecords: Int, firstFinishedAt: Double, lastFinishedAt: Double,
                firstCPUSeconds: Double, lastCPUSeconds: Double) {
        self.openedAt = openedAt
        self.records = records
        self.firstBatchRecords = firstBatchRecords
        self.firstFinishedAt = firstFinishedAt
        self.lastFinishedAt = lastFinishedAt
        self.firstCPUSeconds = firstCPUSeconds
        self.lastCPUSeconds = lastCPUSeconds
    }
}
