import Foundation
import SluiceHost
import Testing
import TestSupport

/// A record produced for a batch that has already settled is refused: the
/// batch's offsets may be committed by then, so nothing could hold them for
/// it. The thread that produces it often produced that batch's records just
/// before, and then finds the batch through its remembered tally, closed.
@Suite("Produce for a settled batch")
struct LateProduceTests {
    @Test("a record produced for a settled batch is refused and logged; every record is stored once and committed")
    func lateProduceRefused() async throws {
        var harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 100
        try await harness.installRecorder(sidecar: "config:\n  output: recorded\n  late_produce: 1\n")
        harness.produce("input", count: 2_000)
        let log = LogRecorder()
        try await harness.withRuntime(logger: log.logger(label: "sluice.test")) { _ in
            try await eventually("2,000 records recorded") { harness.count("recorded") >= 2_000 }
            try await eventually("the offsets committed to the end") { harness.committedToTheEnd() }
        }
        let stored = harness.records("recorded").map(\.record)
        #expect(!stored.contains { $0.valueText?.hasPrefix("late:") == true }, "no late record was stored")
        let lines = stored.compactMap { RecordedLine($0) }
        #expect(lines.count == 2_000 && Set(lines).count == 2_000, "each record stored once")
        let refusals = log.all.filter { $0.contains("which is not in flight; refused") }
        #expect(refusals.count >= 16, "one refusal per batch after each partition's first (2,000 records in batches of at most 100)")
        #expect(refusals.count == Set(refusals).count, "each batch refused once")
    }
}
