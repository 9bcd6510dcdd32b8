import Benchmark

/// The per-record figures of the S1mock benchmarks, reported as custom
/// metrics of each iteration next to package-benchmark's own.
enum KafkaMockMeasurement {
    static let records = BenchmarkMetric.custom("records measured", polarity: .prefersLarger, useScalingFactor: false)
    static let wallPerRecord = BenchmarkMetric.custom("wall ns per record", useScalingFactor: false)
    static let cpuPerRecord = BenchmarkMetric.custom("process CPU ns per record", useScalingFactor: false)
    static let metrics = [records, wallPerRecord, cpuPerRecord]

    /// Measures `body`, which returns the records it read.
    @discardableResult
    static func measure(_ benchmark: Benchmark, _ body: () throws -> Int) rethrows -> Int {
        let wall = ProcessClocks.wallNanoseconds
        let cpu = ProcessClocks.cpuNanoseconds
        benchmark.startMeasurement()
        let read = try body()
        benchmark.stopMeasurement()
        let wallSpent = ProcessClocks.wallNanoseconds - wall
        let cpuSpent = ProcessClocks.cpuNanoseconds - cpu
        benchmark.measurement(records, read)
        benchmark.measurement(wallPerRecord, wallSpent / max(1, read))
        benchmark.measurement(cpuPerRecord, cpuSpent / max(1, read))
        return read
    }
}
