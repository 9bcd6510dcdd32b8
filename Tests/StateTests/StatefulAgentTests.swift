import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// Stateful agents end to end on `memory://`: counts kept in a table are
/// exact, survive retries, hot reloads and restarts, and timers close windows
/// on idle partitions.
@Suite("Stateful agents on memory://")
struct StatefulAgentTests {
    @Test("a count per key and minute of 100,000 records over 8 partitions equals the exact count, in the changelog too")
    func exactCounts() async throws {
        let counter = try StatefulCounterHarness()
        defer { counter.harness.remove() }
        try await counter.install()
        counter.produce(100_000)
        try await counter.harness.withRuntime { runtime in
            try await eventually(timeout: .seconds(120), "every record counted") { counter.processed(runtime) >= 100_000 }
            let status = try #require(runtime.agents.first { $0.name == "stateful-counter" })
            #expect(status.processed == 100_000)
        }
        #expect(try counter.changelogCounts() == counter.expectedCounts())
    }

    @Test("a batch that asks for a retry drops its writes: each record is counted once")
    func retriesDropWrites() async throws {
        let counter = try StatefulCounterHarness()
        defer { counter.harness.remove() }
        try await counter.install()
        counter.produce(2_000, value: { index in index % 97 == 0 ? "retry:2" : "v\(index)" })
        try await counter.harness.withRuntime { runtime in
            // Outputs of a batch that went round again come twice: count processed records instead.
            try await eventually("every record counted") { counter.processed(runtime) >= 2_000 }
            let status = try #require(runtime.agents.first { $0.name == "stateful-counter" })
            #expect(status.retried > 0, "the retry records went round again")
        }
        let counted = try counter.changelogCounts()
        let expected = counter.expectedCounts()
        #expect(counted == expected, "differences: \(expected.filter { counted[$0.key] != $0.value }.map { "\($0.key): \(counted[$0.key] ?? 0) for \($0.value)" }.sorted().prefix(5))")
    }

    @Test("a restarted host restores the table from the changelog and counts on exactly")
    func restartRestores() async throws {
        let counter = try StatefulCounterHarness()
        defer { counter.harness.remove() }
        try await counter.install()
        counter.produce(3_000)
        try await counter.harness.withRuntime { _ in
            try await eventually("first run counted") { counter.finished >= 3_000 }
        }
        counter.produce(3_000)
        // A new runtime has a new (empty) memory store: everything comes from the changelog.
        try await counter.harness.withRuntime { runtime in
            try await eventually("second run counted") { counter.processed(runtime) >= 3_000 }
            let restored = try #require(runtime.agents.first { $0.name == "stateful-counter" })
            #expect(restored.processed == 3_000)
        }
        #expect(try counter.changelogCounts() == counter.expectedCounts())
    }

    @Test("a hot reload mid-stream keeps the state: nothing is restored and the counts stay exact")
    func hotReloadKeepsState() async throws {
        let counter = try StatefulCounterHarness()
        defer { counter.harness.remove() }
        try await counter.install(version: "1.0.0")
        counter.produce(2_000)
        try await counter.harness.withRuntime { runtime in
            try await eventually("first half counted") { counter.finished >= 2_000 }
            try await counter.install(version: "2.0.0")
            try await eventually("version 2 running") {
                runtime.agents.first { $0.name == "stateful-counter" }?.version == "2.0.0"
            }
            counter.produce(2_000)
            try await eventually("second half counted") { counter.finished >= 4_000 }
            let restores = runtime.agent("stateful-counter")?.status.restores ?? []
            #expect(restores.allSatisfy { $0.total == 0 }, "a hot reload restores nothing: \(restores)")
        }
        #expect(try counter.changelogCounts() == counter.expectedCounts())
    }

    @Test("wall-clock timers close windows on an idle partition; the stream-time twin is cancelled")
    func timersCloseIdleWindows() async throws {
        let counter = try StatefulCounterHarness(partitions: 2)
        defer { counter.harness.remove() }
        try await counter.install(sidecar: "config:\n  window_ms: 1000\n  close_after_ms: 200\n")
        counter.produce(300)
        try await counter.harness.withRuntime { _ in
            try await eventually("every record counted") { counter.finished >= 300 }
            // No more input: only the wall clock can close the windows.
            try await eventually(timeout: .seconds(20), "every window closed") {
                closedTotal(counter) >= 300
            }
        }
        #expect(closedTotal(counter) == 300, "each record is in exactly one closed window")
        #expect(try counter.changelogCounts().isEmpty, "closed windows leave no entries behind")
    }

    @Test("stream-time timers fire when a later record moves stream time past them, not on the wall clock")
    func streamTimeTimers() async throws {
        let counter = try StatefulCounterHarness(partitions: 1)
        defer { counter.harness.remove() }
        try await counter.install(sidecar: "config:\n  window_ms: 1000\n  close_after_ms: 1\n  clocks: stream\n")
        counter.produce(100)
        try await counter.harness.withRuntime { runtime in
            try await eventually("every record counted") { counter.processed(runtime) >= 100 }
            // The wall clock passes the windows' ends; stream time does not: nothing closes.
            try await Task.sleep(for: .milliseconds(2_500))
            #expect(closedTotal(counter) == 0, "no stream-time timer fires while no record moves stream time")
            counter.produce(1)
            do {
                try await eventually(timeout: .seconds(20), "the later record closed the earlier windows") { closedTotal(counter) >= 100 }
            } catch {
                let status = runtime.agents.first { $0.name == "stateful-counter" }
                throw HarnessError("\(error); agent: \(String(describing: status))")
            }
            #expect(closedTotal(counter) == 100, "the later record's own window stays open")
        }
    }

    @Test("timers are kept with the state: scheduled before a restart, they fire after it")
    func timersSurviveRestart() async throws {
        let counter = try StatefulCounterHarness(partitions: 2)
        defer { counter.harness.remove() }
        try await counter.install(sidecar: "config:\n  window_ms: 1000\n  close_after_ms: 3000\n")
        counter.produce(200)
        try await counter.harness.withRuntime { runtime in
            try await eventually("every record counted") { counter.processed(runtime) >= 200 }
        }
        #expect(closedTotal(counter) == 0, "the host stopped before any window's timers were due")
        // A new runtime has an empty memory store: the timers come back from the changelog and fire.
        try await counter.harness.withRuntime { _ in
            try await eventually(timeout: .seconds(20), "the restored timers closed every window") { closedTotal(counter) >= 200 }
        }
        #expect(closedTotal(counter) == 200)
    }

    private func closedTotal(_ counter: StatefulCounterHarness) -> Int {
        counter.harness.records(counter.windowsOutput).reduce(0) { total, entry in
            let text = entry.record.valueText ?? ""
            return total + (Int(text.split(separator: "=").last ?? "") ?? 0)
        }
    }
}

/// The C key-counter example (Plugins/examples/c-key-counter) in a real host.
@Suite("The C key-counter example in a host")
struct KeyCounterExampleTests {
    @Test("totals per key in its table, and 10-second windows closed by the wall clock once input stops")
    func countsAndClosesWindows() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await CPluginCompiler.compile(sources: [RepositoryPaths.path("Plugins/examples/c-key-counter/key_counter.c")],
                                          output: harness.pluginsDirectory + "/key-counter.so")
        try harness.writeSidecar("key-counter", "config:\n  output: key-counts\n")
        for index in 0..<300 {
            harness.broker.append(OutgoingRecord(topic: "events", key: Array("user-\(index % 7)".utf8), value: Array("e\(index)".utf8)))
        }
        try await harness.withRuntime { runtime in
            try await eventually("every event counted") {
                runtime.agents.first { $0.name == "key-counter" }?.processed ?? 0 >= 300
            }
            // Windows of 10 s with 2 s of grace: the wall clock closes them while input is quiet.
            try await eventually(timeout: .seconds(30), "the windows closed") { windowTotal(harness) >= 300 }
        }
        #expect(windowTotal(harness) == 300, "each event is in exactly one closed window")
        let group = harness.configuration.group + ".key-counter"
        let totals = try ChangelogTable.counts(transport: MemoryTransport(broker: harness.broker), group: group, topic: "events", partitions: 2)
        #expect(totals == Dictionary(uniqueKeysWithValues: (0..<7).map { ("user-\($0)", 300 / 7 + ($0 < 300 % 7 ? 1 : 0)) }))
    }

    private func windowTotal(_ harness: HostHarness) -> Int {
        harness.records("key-counts").reduce(0) { total, entry in
            guard let text = entry.record.valueText, let range = text.range(of: "\"count\":") else { return total }
            return total + (Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0)
        }
    }
}
