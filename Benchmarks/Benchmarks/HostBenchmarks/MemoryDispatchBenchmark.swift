import Benchmark
import Foundation
import Logging
import SluiceHost

/// S0: `memory://` → the no-op C agent, 100-byte records, batches of 1,000,
/// through the real runtime (consumer, partition lanes, worker pool, offset
/// ledger). One iteration finishes one million records; the mallocs of all
/// threads are counted, so mallocCountTotal / 1,000,000 is the host's
/// allocations per record. Goal: ≥ 10 M records/s, zero allocations per record.
func registerMemoryDispatchBenchmark() {
    registerDispatchBenchmark("S0.memoryDispatch.noopC.1M", isolated: false)
}

/// S10: S0 with the no-op agent in a runner process (`isolation: process`):
/// every batch crosses the shared region and comes back over the runner's
/// socket. Goal: ≥ 5 M records/s. The runner is found as `sluice run` finds
/// it: `SLUICE_PLUGIN_RUNNER`, else beside the benchmark executable (build it
/// with `swift build -c release --package-path Benchmarks --product sluice-plugin-runner`).
func registerIsolatedDispatchBenchmark() {
    registerDispatchBenchmark("S10.memoryDispatch.noopC.isolated.1M", isolated: true)
}

/// One dispatch benchmark: a million records (`SLUICE_BENCH_S0_RECORDS`) per iteration.
private func registerDispatchBenchmark(_ name: String, isolated: Bool) {
    let recordsPerIteration = ProcessInfo.processInfo.environment["SLUICE_BENCH_S0_RECORDS"].flatMap(Int.init) ?? 1_000_000
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .cpuTotal, .peakMemoryResident],
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(10),
        maxIterations: 5)

    nonisolated(unsafe) var world: MemoryDispatchWorld?
    Benchmark(name, configuration: configuration) { benchmark in
        guard let world else { return benchmark.error("\(name): the host did not start") }
        try world.appendWhilePaused(records: recordsPerIteration)
        benchmark.startMeasurement()
        try world.resumeAndWaitUntilProcessed()
        benchmark.stopMeasurement()
        // records/s of this iteration, for the table in BENCHMARKS.md.
        blackHole(world.processed)
    } setup: {
        world = try MemoryDispatchWorld(isolated: isolated)
    } teardown: {
        world?.stop()
        world = nil
    }
}

/// A running host on `memory://` with the no-op agent on topic `bench`.
final class MemoryDispatchWorld {
    let broker: MemoryBroker
    let runtime: SluiceRuntime
    let directory: String
    private(set) var appended = 0
    private let value = [UInt8](repeating: UInt8(ascii: "x"), count: 100)

    /// `isolated`: the agent runs with `isolation: process` (S10).
    init(isolated: Bool = false) throws {
        directory = NSTemporaryDirectory() + "sluice-bench-\(isolated ? "s10" : "s0")-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory + "/plugins", withIntermediateDirectories: true)
        try NoopPlugin.compile(into: directory + "/plugins", topic: "bench")
        if isolated {
            try "isolation: process\n".write(toFile: directory + "/plugins/noop.yaml", atomically: true, encoding: .utf8)
        }
        broker = MemoryBroker(defaultPartitions: 4)
        var configuration = HostConfiguration()
        configuration.pluginsDirectory = directory + "/plugins"
        configuration.dataDirectory = directory + "/data"
        configuration.agentDefaults.batchSize = 1_000
        var logger = Logger(label: "sluice.bench")
        logger.logLevel = .warning
        runtime = try SluiceRuntime(configuration: configuration, transport: MemoryTransport(broker: broker),
                                    watchDirectory: false, logger: logger)
        try runtime.start()
        guard runtime.agents.map(\.name) == ["noop"] else {
            throw NoopPlugin.CompileError(description: "the noop agent did not start: \(runtime.refusals)")
        }
    }

    /// Records the agent finished (OK) so far.
    var processed: Int { runtime.agents.first?.processed ?? 0 }

    /// Appends `records` 100-byte records while the agent is paused, so the
    /// measurement covers only their consumption.
    func appendWhilePaused(records: Int) throws {
        try runtime.pause(agent: "noop")
        for index in 0..<records {
            broker.append(OutgoingRecord(topic: "bench", partition: Int32(index & 3), key: nil, value: value))
        }
        appended += records
    }

    /// Resumes the agent and polls until every appended record is finished.
    func resumeAndWaitUntilProcessed() throws {
        try runtime.resume(agent: "noop")
        while processed < appended { usleep(200) }
    }

    func stop() {
        runtime.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
