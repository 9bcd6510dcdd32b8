import Benchmark
import SluiceHost

/// The offset ledger's per-batch bookkeeping: one `track` when a batch is
/// handed out, one `finish` when it completes. It runs once per batch on the
/// dispatch path, so it must not allocate in the steady state.
func registerOffsetLedgerBenchmarks() {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2))

    // In order: every batch finishes before the next is tracked (a fast agent).
    Benchmark("OffsetLedger.trackFinish.inOrder", configuration: configuration) { benchmark in
        var ledger = OffsetLedger(startingAt: 0)
        var offset: Int64 = -1
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            offset += 1_000
            let ticket = ledger.track(lastOffset: offset, records: 1_000)
            blackHole(ledger.finish(1_000, of: ticket))
        }
        benchmark.stopMeasurement()
        blackHole(ledger.committable)
    }

    // Out of order: 64 batches in flight, finished newest first, so the
    // contiguous prefix advances only when the oldest one finishes.
    Benchmark("OffsetLedger.trackFinish.outOfOrder64", configuration: configuration) { benchmark in
        var ledger = OffsetLedger(startingAt: 0)
        var offset: Int64 = -1
        var tickets: [OffsetLedger.Ticket] = []
        tickets.reserveCapacity(64)
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            offset += 1_000
            tickets.append(ledger.track(lastOffset: offset, records: 1_000))
            if tickets.count == 64 || iteration == benchmark.scaledIterations.upperBound - 1 {
                for ticket in tickets.reversed() { blackHole(ledger.finish(1_000, of: ticket)) }
                tickets.removeAll(keepingCapacity: true)
            }
        }
        benchmark.stopMeasurement()
        blackHole(ledger.committable)
    }
}
