import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// A stopped host stays stopped: a plugin change the directory watcher hands
/// over after stop() has taken the agents down starts nothing.
@Suite("A stopped host")
struct StoppedHostTests {
    @Test("a change reconciled after stop is refused and starts no agent")
    func reconcileAfterStop() async throws {
        let harness = try HostHarness(partitions: 1)
        defer { harness.remove() }
        try await harness.installRecorder()
        let runtime = try harness.makeRuntime()
        try await withRuntime(runtime) { runtime in
            #expect(runtime.agents.map(\.name) == ["recorder"])
        }
        // What the watcher thread does when a change arrives late (stop waits
        // for it only so long): here, a new plugin file dropped in meanwhile.
        try await harness.installRecorder(name: "latecomer", sidecar: "topics: [late]\nconfig:\n  output: late-out\n")
        let event = await DedicatedThread.run("test-reconcile") { runtime.reconcile("latecomer") }
        #expect(event.outcome == .refused("the host has stopped"))
        #expect(runtime.agents.isEmpty, "an agent started in a stopped host: \(runtime.agents.map(\.name))")
    }
}
