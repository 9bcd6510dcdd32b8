import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// Short batches run on the agent's fetcher thread instead of a worker; a
/// call that stalls there moves polling to a new thread, and nothing is lost
/// either way.
@Suite("Batches on the fetcher thread")
struct InlineDispatchTests {
    /// A recorder agent over 4 partitions, batches of 20, whose calls count
    /// as short below 20 ms (a debug build's recorder takes ≈ 0.3 ms per
    /// batch; the default limit, 200 µs, suits release builds).
    private func makeHarness() async throws -> HostHarness {
        var harness = try HostHarness(partitions: 4)
        harness.configuration.agentDefaults.batchSize = 20
        harness.configuration.agentDefaults.inlineBelow = .milliseconds(20)
        try await harness.installRecorder()
        return harness
    }

    /// A runtime over the harness's in-memory broker, logging to `log`.
    private func makeRuntime(_ harness: HostHarness, log: LogRecorder) throws -> SluiceRuntime {
        try SluiceRuntime(configuration: harness.configuration, transport: MemoryTransport(broker: harness.broker),
                          logger: log.logger(label: "sluice.test"))
    }

    /// Produces `count` records named `prefix` in waves of 200, each once the
    /// last is recorded: live traffic, where the agent's lanes run dry
    /// between fetches (catching up, the workers keep every lane busy).
    private func produceInWaves(_ harness: HostHarness, prefix: String, count: Int, recordedBefore: Int) async throws {
        var produced = 0
        while produced < count {
            let wave = min(200, count - produced)
            for index in produced..<(produced + wave) {
                harness.broker.append(OutgoingRecord(topic: "input", key: Array("\(prefix)\(index)".utf8),
                                                     value: Array("\(prefix)\(index)".utf8)))
            }
            produced += wave
            let target = recordedBefore + produced
            try await eventually(timeout: .seconds(60), "\(target) records recorded") { harness.count("recorded") >= target }
        }
    }

    /// Every input record recorded exactly once, each partition's in offset order.
    private func expectEachOnceInOrder(_ harness: HostHarness, records: Int) {
        let lines = harness.records("recorded").compactMap { RecordedLine($0.record) }
        #expect(lines.count == records)
        #expect(Set(lines).count == records, "each record handled once")
        for partition in Int32(0)..<4 {
            let offsets = lines.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == offsets.sorted(), "partition \(partition) in order")
        }
    }

    @Test("a fast agent's batches run on its fetcher thread once its calls are short; every record handled once, in order, committed")
    func fastAgentRunsInline() async throws {
        let harness = try await makeHarness()
        defer { harness.remove() }
        let log = LogRecorder()
        let runtime = try makeRuntime(harness, log: log)
        try await withRuntime(runtime) { runtime in
            try await produceInWaves(harness, prefix: "v", count: 4_000, recordedBefore: 0)
            try await eventually("the offsets committed to the end") { harness.committedToTheEnd() }
            let runner = try #require(runtime.agent("recorder"))
            #expect(runner.inline.runs > 0, "batches ran on the fetcher thread; average call \(runner.inline.averageCall)")
            #expect(!runner.inline.disabled)
        }
        expectEachOnceInOrder(harness, records: 4_000)
    }

    @Test("inline_below: 0 keeps every batch on the worker pool")
    func inlineOff() async throws {
        var harness = try await makeHarness()
        defer { harness.remove() }
        harness.configuration.agentDefaults.inlineBelow = .zero
        let runtime = try makeRuntime(harness, log: LogRecorder())
        try await withRuntime(runtime) { runtime in
            try await produceInWaves(harness, prefix: "v", count: 1_000, recordedBefore: 0)
            #expect(try #require(runtime.agent("recorder")).inline.runs == 0)
        }
        expectEachOnceInOrder(harness, records: 1_000)
    }

    @Test("an inline call that stalls: a new thread polls within the stall, other partitions keep flowing, batches go back to workers; nothing lost")
    func stalledInlineCallHandsPollingOver() async throws {
        let harness = try await makeHarness()
        defer { harness.remove() }
        let log = LogRecorder()
        let runtime = try makeRuntime(harness, log: log)
        try await withRuntime(runtime) { runtime in
            let runner = try #require(runtime.agent("recorder"))
            try await produceInWaves(harness, prefix: "warm", count: 2_000, recordedBefore: 0)
            try #require(runner.inline.runs > 0, "inline on before the stall; average call \(runner.inline.averageCall)")

            // One record stalls its batch for 3 s on the fetcher thread.
            harness.broker.append(OutgoingRecord(topic: "input", key: Array("stalled".utf8), value: Array("stall".utf8)))
            let stalledPartition = try #require((0..<Int32(4)).first { partition in
                harness.broker.records(TopicPartition("input", partition)).contains { $0.valueText == "stall" }
            })
            let stallStarted = ContinuousClock.now
            try await eventually(timeout: .seconds(2), interval: .milliseconds(5), "the stalled call began") {
                runner.lock.withLock { runner.inlineCall != nil }
            }
            for index in 0..<400 {
                harness.broker.append(OutgoingRecord(topic: "input", key: Array("after\(index)".utf8), value: Array("after\(index)".utf8)))
            }
            let elsewhere = harness.records("input").filter {
                $0.partition != stalledPartition && $0.record.valueText?.hasPrefix("after") == true
            }.count
            // The watchdog moves polling after 0.2 s: the other partitions do not wait out the 3 s.
            try await eventually(timeout: .milliseconds(2_500), interval: .milliseconds(5),
                                 "the other partitions' \(elsewhere) new records recorded during the stall") {
                harness.records("recorded").filter {
                    $0.partition != stalledPartition && ($0.record.valueText ?? "").contains(":after")
                }.count >= elsewhere
            }
            #expect(ContinuousClock.now - stallStarted < .seconds(3), "they did not wait for the stalled call")
            #expect(runner.inline.disabled, "the agent's batches go to the worker pool now")
            let total = 2_000 + 1 + 400
            try await eventually(timeout: .seconds(30), "every record recorded") { harness.count("recorded") >= total }
            try await eventually("the offsets committed to the end") { harness.committedToTheEnd() }
        }
        expectEachOnceInOrder(harness, records: 2_401)
        #expect(log.all.contains { $0.hasPrefix("warning") && $0.contains("a new thread polls") })
        #expect(log.all.contains { $0.contains("the stalled fetcher thread's call returned") })
    }
}
