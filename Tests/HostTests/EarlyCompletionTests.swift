import Foundation
import SluiceHost
import Testing
import TestSupport

/// A C plugin that completes a batch from its own thread cannot know when the
/// host has taken on_batch's return value: the ABI allows complete() to come
/// first, and the host must apply it once and say nothing false about it.
@Suite("Early complete()")
struct EarlyCompletionTests {
    @Test("complete() before on_batch returns PENDING: every record handled once, committed, no warning logged")
    func earlyComplete() async throws {
        var harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 100
        try await harness.installRecorder(sidecar: "config:\n  output: recorded\n  mode: pending\n  complete: early\n")
        harness.produce("input", count: 5_000)
        let log = LogRecorder()
        try await harness.withRuntime(logger: log.logger(label: "sluice.test")) { _ in
            try await eventually("5,000 records recorded") { harness.count("recorded") >= 5_000 }
            try await eventually("the offsets committed to the end") { harness.committedToTheEnd() }
        }
        let values = harness.records("recorded").compactMap { RecordedLine($0.record) }
        #expect(values.count == 5_000)
        #expect(Set(values).count == 5_000, "each record handled once")
        let complaints = log.all.filter { $0.hasPrefix("warning") || $0.hasPrefix("error") }
        #expect(complaints.isEmpty, "nothing is wrong with an early complete(): \(complaints.prefix(3))")
        #expect(log.all.contains { $0.hasPrefix("trace") && $0.contains("before on_batch returned") })
    }
}
