import SluiceHost

/// An agent's `finish_window`: when it finished records since it was started
/// or last resumed, read by the host itself (`CLOCK_MONOTONIC` seconds), with
/// the process's CPU time (user + system, all threads) at those moments. A
/// benchmark takes its rate and CPU per record from here instead of from its
/// own polling: `(records - first_batch_records) / (last_finished_at -
/// first_finished_at)` records per second, `(last_cpu_seconds -
/// first_cpu_seconds) / (records - first_batch_records)` CPU seconds per record.
public struct FinishWindowReport: Codable, Sendable, Equatable {
    /// Monotonic seconds when the window opened (start or resume).
    public var openedAt: Double
    /// Records finished (OK or SKIP) since then.
    public var records: Int
    /// Records of the first finished batch.
    public var firstBatchRecords: Int
    /// Monotonic seconds when the first batch finished.
    public var firstFinishedAt: Double
    /// Monotonic seconds when the latest batch finished.
    public var lastFinishedAt: Double
    /// Process CPU seconds when the first batch finished.
    public var firstCPUSeconds: Double
    /// Process CPU seconds when the latest batch finished.
    public var lastCPUSeconds: Double

    enum CodingKeys: String, CodingKey {
        case records
        case openedAt = "opened_at"
        case firstBatchRecords = "first_batch_records"
        case firstFinishedAt = "first_finished_at"
        case lastFinishedAt = "last_finished_at"
        case firstCPUSeconds = "first_cpu_seconds"
        case lastCPUSeconds = "last_cpu_seconds"
    }

    /// The report of `window`.
    public init(_ window: FinishWindow) {
        openedAt = window.openedAt
        records = window.records
        firstBatchRecords = window.firstBatchRecords
        firstFinishedAt = window.firstFinishedAt
        lastFinishedAt = window.lastFinishedAt
        firstCPUSeconds = window.firstCPUSeconds
        lastCPUSeconds = window.lastCPUSeconds
    }
}
