#if canImport(Glibc)
import Glibc
#endif

/// The clocks the Kafka micro-benchmarks report per record: wall (monotonic)
/// and the CPU time of the whole process (every thread: the client's, the
/// host's and, on the mock cluster, the in-process broker's), in nanoseconds.
enum ProcessClocks {
    /// `CLOCK_MONOTONIC` in nanoseconds.
    static var wallNanoseconds: Int { nanoseconds(CLOCK_MONOTONIC) }
    /// `CLOCK_PROCESS_CPUTIME_ID` (user + system, all threads) in nanoseconds.
    static var cpuNanoseconds: Int { nanoseconds(CLOCK_PROCESS_CPUTIME_ID) }

    private static func nanoseconds(_ clock: clockid_t) -> Int {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return spec.tv_sec * 1_000_000_000 + spec.tv_nsec
    }
}
