#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Keeps an agent's `FinishWindow`: reset when the agent starts or resumes,
/// updated once per finished batch (two clock readings and an uncontended
/// lock per batch, not per record), from whichever worker finished it.
final class FinishWindowRecorder: Sendable {
    private struct Readings {
        var openedAt: Double
        var window: FinishWindow?
    }

    private let readings: Mutex<Readings>

    init() {
        readings = Mutex(Readings(openedAt: Self.seconds(CLOCK_MONOTONIC), window: nil))
    }

    /// Opens a new window now (start, resume): nothing finished in it yet.
    func reset() {
        let now = Self.seconds(CLOCK_MONOTONIC)
        readings.withLock { $0 = Readings(openedAt: now, window: nil) }
    }

    /// A batch of `records` finished now.
    func finished(_ records: Int) {
        guard records > 0 else { return }
        let now = Self.seconds(CLOCK_MONOTONIC)
        let cpu = Self.seconds(CLOCK_PROCESS_CPUTIME_ID)
        readings.withLock { readings in
            if var window = readings.window {
                window.records += records
                // Workers finish concurrently: keep the latest reading.
                if now >= window.lastFinishedAt {
                    window.lastFinishedAt = now
                    window.lastCPUSeconds = max(window.lastCPUSeconds, cpu)
                }
                readings.window = window
            } else {
                readings.window = FinishWindow(openedAt: readings.openedAt, records: records, firstBatchRecords: records,
                                               firstFinishedAt: now, lastFinishedAt: now,
                                               firstCPUSeconds: cpu, lastCPUSeconds: cpu)
            }
        }
    }

    /// The window so far; nil while nothing finished since it opened.
    var snapshot: FinishWindow? { readings.withLock { $0.window } }

    private static func seconds(_ clock: clockid_t) -> Double {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
