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
