import Foundation
import SluiceHost
import Testing
import TestSupport

/// One plugin, several agents: each sidecar `NAME.yaml` with `plugin:` is an
/// agent of its own (group, dead-letter topic, status), replacing the plugin
/// file upgrades every agent that runs it, and a sidecar's removal stops only
/// its agent.
@Suite("One plugin, many agents")
struct PluginAgentsTests {
    /// A sidecar for agent `agent` running the recorder on `input`, writing to `output`.
    private func agentSidecar(input: String, output: String) -> String {
        "plugin: recorder\ntopics: [\(input)]\nbatch_size: 50\nconfig:\n  output: \(output)\n"
    }

    /// The recorder plugin with two agents of it: `audit` (orders → audited)
    /// and `mirror` (payments → mirrored).
    private func installAuditAndMirror(_ harness: HostHarness) async throws {
        try await harness.installRecorder(name: "recorder", version: "1.0.0")
        try harness.writeSidecar("audit", agentSidecar(input: "orders", output: "audited"))
        try harness.writeSidecar("mirror", agentSidecar(input: "payments", output: "mirrored"))
    }

    /// The recorder's lines on `topic`, as (input partition, input offset).
    private func handled(_ harness: HostHarness, _ topic: String) -> [RecordedLine] {
        harness.records(topic).compactMap { RecordedLine($0.record) }
    }

    @Test("two agents of one plugin run side by side, each with its own topics, group and dead-letter topic")
    func twoAgents() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await installAuditAndMirror(harness)
        try await harness.withRuntime { runtime in
            // The sidecars name the plugin, so it runs no default agent of its own.
            #expect(runtime.agents.map(\.name) == ["audit", "mirror"])
            #expect(runtime.agents.map(\.plugin) == ["recorder", "recorder"])
            #expect(runtime.agent("audit")?.group == "sluice.audit")
            #expect(runtime.agent("mirror")?.deadLetterTopic == "mirror.dlq")
            harness.produce("orders", count: 100)
            harness.produce("payments", count: 60) { "p\($0)" }
            harness.broker.append(OutgoingRecord(topic: "payments", key: nil, value: Array("dlq me".utf8)))
            try await eventually("both agents handle their own topic") {
                harness.count("audited") == 100 && harness.count("mirrored") == 60 && harness.count("mirror.dlq") == 1
            }
            #expect(Set(handled(harness, "audited").map(\.value)) == Set((0..<100).map { "v\($0)" }))
            #expect(Set(handled(harness, "mirrored").map(\.value)) == Set((0..<60).map { "p\($0)" }))
            #expect(harness.count("audit.dlq") == 0)
            #expect(runtime.agent("audit")?.status.processed == 100)
        }
    }

    @Test("replacing the plugin file upgrades every agent that runs it, one at a time, nothing lost")
    func upgradeAll() async throws {
        let harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        try await installAuditAndMirror(harness)
        try await harness.withRuntime { runtime in
            let broker = harness.broker
            @Sendable func append(chunk: Int) {
                for index in 0..<500 {
                    let n = chunk * 500 + index
                    broker.append(OutgoingRecord(topic: "orders", key: Array("k\(n)".utf8), value: Array("o\(n)".utf8)))
                    broker.append(OutgoingRecord(topic: "payments", key: Array("k\(n)".utf8), value: Array("p\(n)".utf8)))
                }
            }
            let feeder = Task.detached {
                for chunk in 0..<19 {
                    append(chunk: chunk)
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            try await eventually("records flowing") { harness.count("audited") > 1000 && harness.count("mirrored") > 1000 }
            try await harness.installRecorder(name: "recorder", version: "2.0.0")
            // An agent shows the new version once swapped; its reload event follows when the swap returns.
            try await eventually("both agents upgraded") {
                runtime.agents.map(\.version) == ["2.0.0", "2.0.0"]
                    && Set(runtime.reloadEvents.filter { $0.outcome == .upgraded }.map(\.agent)) == ["audit", "mirror"]
            }
            let upgrades = runtime.reloadEvents.filter { $0.outcome == .upgraded }
            #expect(upgrades.count == 2, "one upgrade each: \(upgrades)")
            #expect(upgrades.allSatisfy { $0.pause != nil }, "in place, without a rebalance")
            await feeder.value
            // The last chunk comes after both upgrades: the new version must handle it.
            append(chunk: 19)
            try await eventually("every record handled") { harness.count("audited") >= 10_000 && harness.count("mirrored") >= 10_000 }
            // Counted: every input value reached the output, none twice (in-place swaps lose and repeat nothing).
            for (topic, prefix) in [("audited", "o"), ("mirrored", "p")] {
                let values = handled(harness, topic).map(\.value)
                #expect(Set(values) == Set((0..<10_000).map { "\(prefix)\($0)" }), "\(topic)")
                #expect(values.count == 10_000, "\(topic): \(values.count - Set(values).count) handled twice")
            }
            for topic in ["audited", "mirrored"] {
                #expect(harness.records(topic).contains { $0.record.header("recorder.version") == "2.0.0" }, "\(topic)")
            }
        }
    }

    @Test("removing one sidecar stops only its agent; removing the last starts the plugin's default agent")
    func sidecarRemoved() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await installAuditAndMirror(harness)
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.map(\.name) == ["audit", "mirror"])
            try FileManager.default.removeItem(atPath: harness.pluginsDirectory + "/audit.yaml")
            // The agent leaves the list as it stops; its reload event follows when the stop returns.
            try await eventually("audit stops") {
                runtime.agents.map(\.name) == ["mirror"]
                    && runtime.reloadEvents.filter { $0.outcome == .stopped }.map(\.agent) == ["audit"]
            }
            harness.produce("payments", count: 10)
            try await eventually("mirror keeps running") { harness.count("mirrored") == 10 }

            try FileManager.default.removeItem(atPath: harness.pluginsDirectory + "/mirror.yaml")
            try await eventually("the default agent takes over") { runtime.agents.map(\.name) == ["recorder"] }
            #expect(runtime.agents.first?.plugin == "recorder")

            // A new sidecar naming the plugin starts its agent and stops the default one.
            try harness.writeSidecar("audit", agentSidecar(input: "orders", output: "audited-again"))
            try await eventually("audit is back, the default agent gone") { runtime.agents.map(\.name) == ["audit"] }
        }
    }

    @Test("a sidecar naming a plugin that is not there is refused, naming both; the other agents run")
    func missingPlugin() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await harness.installRecorder(name: "recorder", version: "1.0.0")
        try harness.writeSidecar("ghost", "plugin: nowhere\n")
        try await harness.withRuntime { runtime in
            #expect(runtime.agents.map(\.name) == ["recorder"])
            let refusal = try #require(runtime.refusals.first)
            #expect(refusal.file == harness.pluginsDirectory + "/ghost.yaml")
            #expect(refusal.detail == "\(harness.pluginsDirectory)/ghost.yaml: plugin: names plugin \"nowhere\", but there is no nowhere.so in the plugins directory")

            // The same while running: a new sidecar naming a missing plugin, and a plugin file removed under its agents.
            try harness.writeSidecar("audit", agentSidecar(input: "orders", output: "audited"))
            try await eventually("audit runs") { runtime.agents.map(\.name) == ["audit"] }
            try FileManager.default.removeItem(atPath: harness.pluginsDirectory + "/recorder.so")
            try await eventually("audit stops, listed as naming a missing plugin") {
                runtime.agents.isEmpty && runtime.refusals.contains { $0.file.hasSuffix("/audit.yaml") }
            }
            try await harness.installRecorder(name: "recorder", version: "1.0.1")
            try await eventually("the plugin is back: audit runs again, its refusal cleared") {
                runtime.agents.map(\.name) == ["audit"] && !runtime.refusals.contains { $0.file.hasSuffix("/audit.yaml") }
            }
        }
    }
}
