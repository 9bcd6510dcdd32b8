import Foundation
import SluiceHost
import Testing
import TestSupport

/// Dropping, replacing and removing plugin files while the host runs.
@Suite("Hot reload", .serialized)
struct HotReloadTests {
    /// Builds the recorder at `version` beside the plugins directory, then
    /// renames it into place: the documented drop-in contract.
    private func dropIn(_ harness: HostHarness, version: String, name: String = "recorder") async throws {
        try await harness.installRecorder(name: name, version: version)
    }

    private func reloads(_ runtime: SluiceRuntime) -> Int {
        runtime.reloadEvents.filter { $0.outcome != .unchanged }.count
    }

    @Test("replacing the file 5 times under load: nothing lost, nothing handled twice, new version after each swap")
    func swapsUnderLoad() async throws {
        var harness = try HostHarness(partitions: 8)
        defer { harness.remove() }
        harness.configuration.agentDefaults.batchSize = 500
        try await dropIn(harness, version: "1")
        let runtime = try harness.makeRuntime()
        let (total, pauses) = try await withRuntime(runtime) { runtime in
            let total = 200_000
            let broker = harness.broker
            @Sendable func append(chunk: Int) {
                for index in 0..<(total / 40) {
                    let n = chunk * (total / 40) + index
                    broker.append(OutgoingRecord(topic: "input", key: Array("k\(n)".utf8), value: Array("v\(n)".utf8)))
                }
            }
            // The last chunk waits for the last swap: however long the swaps
            // take (the compiler competes with other tests for the cores),
            // every partition then has records the last version must handle.
            let feeder = Task.detached {
                for chunk in 0..<39 {
                    append(chunk: chunk)
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            var pauses: [Duration] = []
            for swap in 1...5 {
                try await eventually("records flowing before swap \(swap)") { harness.count("recorded") >= swap * 10_000 }
                let before = reloads(runtime)
                try await dropIn(harness, version: swap % 2 == 1 ? "2" : "1")
                try await eventually("swap \(swap) done") { reloads(runtime) > before }
                let event = try #require(runtime.reloadEvents.last)
                #expect(event.outcome == .upgraded, "swap \(swap): \(event.outcome)")
                if let pause = event.pause { pauses.append(pause) }
            }
            await feeder.value
            append(chunk: 39)
            try await eventually(timeout: .seconds(60), "all records handled") { harness.count("recorded") >= total }
            return (total, pauses)
        }
        print("hot reload: pause per swap:", pauses.map { "\($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) ms" })

        // Exactly once: an in-place swap drains the old version before the new one starts.
        var seen = Set<RecordedLine>()
        for (_, record) in harness.records("recorded") {
            let line = try #require(RecordedLine(record))
            #expect(seen.insert(line).inserted, "offset \(line.offset) of partition \(line.partition) handled twice")
        }
        #expect(seen.count == total)
        // Per partition, the version changes only at swaps, and ends at the last one.
        for partition in 0..<Int32(8) {
            let versions = harness.broker.records(TopicPartition("recorded", partition)).compactMap { $0.header("recorder.version") }
            var changes = 0
            for index in versions.indices.dropFirst() where versions[index] != versions[index - 1] { changes += 1 }
            #expect(changes <= 5, "partition \(partition): \(changes) version changes for 5 swaps")
            #expect(versions.last == "2", "partition \(partition) ends on the last version")
        }
        #expect(runtime.loader.loadedImageCount == 2, "two distinct files, each mapped once (content-addressed)")
    }

    @Test("a truncated or wrong-ABI file over a running plugin is refused; the old version keeps running")
    func brokenReplacement() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await dropIn(harness, version: "1")
        try await harness.withRuntime { runtime in
            harness.produce("input", count: 100)
            try await eventually("first records") { harness.count("recorded") == 100 }

            let good = try Data(contentsOf: URL(fileURLWithPath: harness.pluginsDirectory + "/recorder.so"))
            let staged = harness.pluginsDirectory + "/recorder.so.tmp"
            try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: staged))
            rename(staged, harness.pluginsDirectory + "/recorder.so")
            try await eventually("refusal recorded") {
                if case .refused = runtime.reloadEvents.last?.outcome { return true } else { return false }
            }
            let reason = runtime.reloadEvents.last?.outcome.description ?? ""
            #expect(reason.contains("truncated"), "\(reason)")
            #expect(runtime.agent("recorder")?.status.version == "1")
            #expect(runtime.agent("recorder")?.status.state == .running)

            harness.produce("input", count: 100) { "after-\($0)" }
            try await eventually("the old version still handles records") { harness.count("recorded") == 200 }
        }
    }

    @Test("removing the file stops the agent with offsets committed; putting it back resumes there")
    func removeAndRestore() async throws {
        let harness = try HostHarness(partitions: 4)
        defer { harness.remove() }
        try await dropIn(harness, version: "1")
        try await harness.withRuntime { runtime in
            harness.produce("input", count: 1000)
            try await eventually("first records") { harness.count("recorded") == 1000 }

            try FileManager.default.removeItem(atPath: harness.pluginsDirectory + "/recorder.so")
            try await eventually("agent stopped") { runtime.agent("recorder") == nil }
            #expect(runtime.reloadEvents.last?.outcome == .stopped)
            let committed = harness.broker.committed(group: "sluice.recorder")
            #expect(committed.values.reduce(0, +) == 1000, "everything handled was committed at the stop")

            harness.produce("input", count: 1000) { "later-\($0)" }
            try await dropIn(harness, version: "2")
            try await eventually("agent back") { runtime.agent("recorder") != nil }
            try await eventually("resumed where it left off") { harness.count("recorded") == 2000 }
        }
        let lines = harness.records("recorded").compactMap { RecordedLine($0.record) }
        #expect(Set(lines).count == 2000, "no record handled twice across the stop")
    }

    @Test("changing the sidecar reloads the agent with the new settings")
    func sidecarChange() async throws {
        let harness = try HostHarness(partitions: 2)
        defer { harness.remove() }
        try await dropIn(harness, version: "1")
        try harness.writeSidecar("recorder", "config:\n  output: first\n")
        try await harness.withRuntime { runtime in
            harness.produce("input", count: 50)
            try await eventually("first output") { harness.count("first") == 50 }
            try harness.writeSidecar("recorder", "config:\n  output: second\n")
            try await eventually("reloaded") { runtime.reloadEvents.last?.outcome == .upgraded }
            harness.produce("input", count: 50)
            try await eventually("second output") { harness.count("second") == 50 }
        }
        #expect(harness.count("first") == 50)
    }
}
